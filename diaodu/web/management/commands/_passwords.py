"""One-time passwords printed by the server-side account commands."""

import secrets
import string


def one_time_password() -> str:
    alphabet = string.ascii_letters + string.digits
    while True:
        core = "".join(secrets.choice(alphabet) for _ in range(12))
        if (
            any(c.islower() for c in core)
            and any(c.isupper() for c in core)
            and any(c.isdigit() for c in core)
        ):
            return core + secrets.choice("!@#%&*")
