"""Merkle tree hashes and inclusion paths as in RFC 6962 section 2.1 (also RFC 9162 2.1).

Leaves are already hashed (``chain.leaf_hash``: SHA-256 over 0x00 and the leaf data);
an inner node is SHA-256(0x01 || left || right). A tree of n leaves splits at the largest
power of two smaller than n, so its shape depends on n alone.
"""

import hashlib
from collections.abc import Sequence


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(size: int) -> int:
    k = 1
    while k * 2 < size:
        k *= 2
    return k


def root(leaves: Sequence[bytes]) -> bytes:
    """MTH(D[n]); a batch is never empty, so the empty tree's hash is not needed."""
    if not leaves:
        raise ValueError("a Merkle tree needs at least one leaf")
    if len(leaves) == 1:
        return leaves[0]
    k = _split(len(leaves))
    return node_hash(root(leaves[:k]), root(leaves[k:]))


def inclusion_path(index: int, leaves: Sequence[bytes]) -> list[bytes]:
    """PATH(m, D[n]): the sibling hashes from the leaf up to the root."""
    if not 0 <= index < len(leaves):
        raise IndexError("leaf index outside the tree")
    if len(leaves) == 1:
        return []
    k = _split(len(leaves))
    if index < k:
        return [*inclusion_path(index, leaves[:k]), root(leaves[k:])]
    return [*inclusion_path(index - k, leaves[k:]), root(leaves[:k])]


def root_from_path(index: int, size: int, leaf: bytes, path: Sequence[bytes]) -> bytes:
    """The root that ``leaf`` at ``index`` of a tree of ``size`` leaves and ``path`` give
    (the same recursion as ``inclusion_path``, walked back up)."""
    if not 0 <= index < size:
        raise IndexError("leaf index outside the tree")
    if size == 1:
        if path:
            raise ValueError("path too long")
        return leaf
    if not path:
        raise ValueError("path too short")
    k = _split(size)
    *below, sibling = path
    if index < k:
        return node_hash(root_from_path(index, k, leaf, below), sibling)
    return node_hash(sibling, root_from_path(index - k, size - k, leaf, below))
