"""Amplify: staff suggest social posts, volunteers share them through personal tracked links,
and the clicks, sign-ups and gifts those links bring are credited back to each volunteer."""
