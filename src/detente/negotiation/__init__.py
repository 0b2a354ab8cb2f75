"""Negotiation: protocols that turn the settlement window into talks, deals and their durability."""
