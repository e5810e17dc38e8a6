"""Hashed ad audiences: a segment (or the top donors) as Meta Custom Audience and Google
Customer Match upload files, each identifier normalised as the platform documents and SHA-256
hashed, so the platform can match people without receiving their contact details."""
