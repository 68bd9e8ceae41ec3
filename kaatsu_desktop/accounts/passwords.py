"""Passwords: Argon2id hashing (argon2-cffi), the clinic's password policy, never a plain copy."""

from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass

from argon2 import PasswordHasher, Type, profiles
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from kaatsu_desktop.i18n import translate
from kaatsu_desktop.storage import ValidationError

log = logging.getLogger(__name__)

_T = "Accounts"


@dataclass(frozen=True)
class HashParameters:
    """Argon2id cost parameters (memory in KiB)."""

    time_cost: int
    memory_cost: int
    parallelism: int
    hash_len: int = 32
    salt_len: int = 16

    def hasher(self) -> PasswordHasher:
        """An argon2-cffi PasswordHasher with these parameters, always Argon2id."""
        return PasswordHasher(
            time_cost=self.time_cost,
            memory_cost=self.memory_cost,
            parallelism=self.parallelism,
            hash_len=self.hash_len,
            salt_len=self.salt_len,
            type=Type.ID,
        )


# RFC 9106's second recommendation (argon2-cffi's default): 64 MiB, t=3, p=4, about 0.2 s here.
# Stronger than OWASP's minimum for Argon2id (19 MiB, t=2, p=1), below which nothing may go.
PRODUCTION = HashParameters(
    time_cost=profiles.RFC_9106_LOW_MEMORY.time_cost,
    memory_cost=profiles.RFC_9106_LOW_MEMORY.memory_cost,
    parallelism=profiles.RFC_9106_LOW_MEMORY.parallelism,
)
OWASP_MINIMUM = HashParameters(time_cost=2, memory_cost=19 * 1024, parallelism=1)


def meets_owasp_minimum(params: HashParameters) -> bool:
    """True when the parameters are at least OWASP's Argon2id minimum in memory and time."""
    return (
        params.memory_cost >= OWASP_MINIMUM.memory_cost
        and params.time_cost >= OWASP_MINIMUM.time_cost
    )


def production_hasher() -> PasswordHasher:
    """The hasher the app uses (tests inject cheaper ones)."""
    return PRODUCTION.hasher()


def hash_password(hasher: PasswordHasher, password: str) -> str:
    """The Argon2id hash string of a password (salted; the password is not kept)."""
    return hasher.hash(password)


def verify_password(hasher: PasswordHasher, stored_hash: str, password: str) -> bool:
    """True when the password matches the stored hash; a damaged hash is a mismatch, logged."""
    try:
        return hasher.verify(stored_hash, password)
    except VerifyMismatchError:
        return False
    except (InvalidHashError, VerificationError) as exc:
        # Never the password or the hash in the log: only that the stored value is unusable.
        log.error("a stored password hash could not be checked (%s)", type(exc).__name__)
        return False


def needs_rehash(hasher: PasswordHasher, stored_hash: str) -> bool:
    """True when the stored hash was made with other (e.g. weaker) parameters than `hasher`'s."""
    try:
        return hasher.check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True


@dataclass(frozen=True)
class PasswordPolicy:
    """What a new password must be (NIST SP 800-63B style: length, no name, no obvious ones)."""

    min_length: int = 12
    max_length: int = 256


# A few passwords that meet the length and are still the first ones guessed.
COMMON_PASSWORDS: frozenset[str] = frozenset(
    {
        "123456789012",
        "1234567890123",
        "passwordpassword",
        "password1234",
        "password12345",
        "qwertyuiopasdf",
        "qwertyuiop123",
        "kaatsukaatsu",
        "kaatsu123456",
        "letmeinletmein",
        "administrator",
        "administrator1",
        "changemechangeme",
    }
)


def _fold(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


def policy_problems(password: str, *, user_name: str, policy: PasswordPolicy) -> list[str]:
    """Why a new password is refused (translated reasons; empty when it is fine)."""
    if not isinstance(password, str):
        return [translate(_T, "must be text")]
    problems = []
    length = len(password)
    if length < policy.min_length:
        problems.append(
            translate(_T, "must have at least {n} characters").format(n=policy.min_length)
        )
    if length > policy.max_length:
        problems.append(
            translate(_T, "must have at most {n} characters").format(n=policy.max_length)
        )
    folded, name = _fold(password), _fold(user_name)
    if name and (folded == name or (len(name) >= 3 and name in folded)):
        problems.append(translate(_T, "must not contain the user name"))
    if folded and len(set(folded)) == 1:
        problems.append(translate(_T, "must not repeat one character"))
    if folded in COMMON_PASSWORDS:
        problems.append(translate(_T, "is too common"))
    return problems


def check_new_password(
    password: str, *, user_name: str, policy: PasswordPolicy, field: str = "password"
) -> None:
    """Raise ValidationError (naming `field`, never the password) unless the policy is met."""
    problems = policy_problems(password, user_name=user_name, policy=policy)
    if problems:
        raise ValidationError(field, "; ".join(problems))


def parameters_of(hasher: PasswordHasher) -> HashParameters:
    """The cost parameters of a hasher (to check them against the minimum)."""
    return HashParameters(
        time_cost=hasher.time_cost,
        memory_cost=hasher.memory_cost,
        parallelism=hasher.parallelism,
        hash_len=hasher.hash_len,
        salt_len=hasher.salt_len,
    )


__all__ = [
    "OWASP_MINIMUM",
    "PRODUCTION",
    "HashParameters",
    "PasswordPolicy",
    "check_new_password",
    "hash_password",
    "meets_owasp_minimum",
    "needs_rehash",
    "parameters_of",
    "policy_problems",
    "production_hasher",
    "verify_password",
]
