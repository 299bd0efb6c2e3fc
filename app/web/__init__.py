"""The web side: front-end libraries served by the app itself (no CDN), and maps."""
