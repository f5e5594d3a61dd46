"""``pc-calendar doctor``: check each parent's calendar target, step by step.

Every check says in plain words what was found and, when it fails, the next step to
take. The steps run in the order a request travels (name, connection, TLS, HTTP, login,
calendar, write, sync support, clock), and a failed step skips the ones that need it, so
the first failure is the one to fix. Nothing but our own probe event is ever written.
"""
