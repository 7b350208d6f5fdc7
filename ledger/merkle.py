"""Merkle tree hashing as RFC 6962 (Certificate Transparency) defines it, section 2.1.

A leaf is hashed as ``SHA-256(0x00 || leaf)`` and an inner node as
``SHA-256(0x01 || left || right)``; a tree of ``n`` leaves splits at the largest power of
two below ``n``. The same functions are copied into ``tools/verify_bundle.py`` (which must
run without Django); a test checks that both agree.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

EMPTY_ROOT = hashlib.sha256(b"").hexdigest()


def leaf_hash(leaf: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than ``n`` (``n`` > 1)."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def _root(hashes: Sequence[bytes]) -> bytes:
    if len(hashes) == 1:
        return hashes[0]
    k = _split(len(hashes))
    return node_hash(_root(hashes[:k]), _root(hashes[k:]))


def root(leaves: Sequence[bytes]) -> str:
    """MTH(D[n]) of the leaves, hex; the hash of the empty string for no leaves."""
    if not leaves:
        return EMPTY_ROOT
    return _root([leaf_hash(leaf) for leaf in leaves]).hex()


def _path(index: int, hashes: Sequence[bytes]) -> list[bytes]:
    if len(hashes) <= 1:
        return []
    k = _split(len(hashes))
    if index < k:
        return [*_path(index, hashes[:k]), _root(hashes[k:])]
    return [*_path(index - k, hashes[k:]), _root(hashes[:k])]


def inclusion_proof(leaves: Sequence[bytes], index: int) -> list[str]:
    """PATH(m, D[n]): the audit path proving leaf ``index`` is in the tree, hex, leaf first."""
    if not 0 <= index < len(leaves):
        raise IndexError(f"leaf {index} is not in a tree of {len(leaves)}")
    return [h.hex() for h in _path(index, [leaf_hash(leaf) for leaf in leaves])]


def root_from_proof(leaf: bytes, index: int, size: int, proof: Sequence[str]) -> str:
    """The root an audit path leads to (RFC 9162 section 2.1.3.2); compare it with the
    signed root. Raises ValueError for a path of the wrong length."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of {size}")
    fn, sn = index, size - 1
    current = leaf_hash(leaf)
    for sibling_hex in proof:
        sibling = bytes.fromhex(sibling_hex)
        if sn == 0:
            raise ValueError("the proof is longer than the tree is deep")
        if fn % 2 == 1 or fn == sn:
            current = node_hash(sibling, current)
            if fn % 2 == 0:
                while fn % 2 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            current = node_hash(current, sibling)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ValueError("the proof is shorter than the tree is deep")
    return current.hex()
