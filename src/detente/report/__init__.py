"""Outputs for people: the terminal summary now; figures and the HTML report later."""
