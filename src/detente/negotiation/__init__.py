"""Negotiation: protocols that turn the settlement window into talks, deals and their durability.

``negotiate(scenario, protocol=...)`` holds talks at the scenario's scheduled checkpoints
on every path of its war and returns a :class:`Negotiation` (per-path agreement, step,
terms, utilities, and a JSON-ready ``summary()``). Protocols: ``equilibrium``
(backward induction, Ståhl/Rubinstein), ``alternating`` (heuristic concession
strategies under private information), ``mediated`` (single negotiating text) and
``ultimatum`` (take-it-or-leave-it with private costs, Fearon's risk-return trade-off).
"""

from detente.negotiation.negotiate import PROTOCOLS, Negotiation, negotiate

__all__ = ["PROTOCOLS", "Negotiation", "negotiate"]
