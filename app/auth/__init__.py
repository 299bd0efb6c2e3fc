"""Accounts: who may sign in, with which role, and the bearer tokens they carry."""
