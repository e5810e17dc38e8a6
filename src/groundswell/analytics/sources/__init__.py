"""Sources and refcodes: where money, donors and sign-ups came from, and ad spend against them."""
