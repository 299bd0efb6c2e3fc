"""`python -m app.cli`, as the tests and benchmarks start the server."""

from app.cli import main

if __name__ == "__main__":
    main()
