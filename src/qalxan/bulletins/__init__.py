"""Inter-agency bulletins: notices an agency writes and routes to others (lookouts, orientations).

The first capability built on :mod:`qalxan.access`: every bulletin is classified, may carry a TLP
marking, is shared through the policy, and every read of one is audited.
"""
