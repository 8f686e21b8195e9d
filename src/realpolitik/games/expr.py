"""A tiny, safe arithmetic language for the numbers of a game file.

A probability or a payoff may be a number or an expression over the game's parameters::

    1 - p_stretched
    sa_k * 25 / 100 - 3.5
    max(0, reputation - cost)

What is allowed: decimal numbers, parameter names, ``+ - * /``, unary minus, parentheses
and the functions ``abs``, ``min`` and ``max``. Nothing else: no powers (a number could grow
without bound), no attributes, no subscripts, no other names or calls. The text is parsed
with :mod:`ast` and every node is checked against that whitelist; it is never passed to
``eval``.

Arithmetic is exact: numbers are read from their text as :class:`fractions.Fraction`
(``0.1`` is one tenth, not the nearest binary float), so that probabilities that should
sum to 1 do, and the exact solvers see the numbers the file wrote.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from ..errors import InputError

__all__ = ["FUNCTIONS", "MAX_LENGTH", "Expr", "ExprError", "as_fraction", "number_text"]

#: the longest expression accepted, in characters
MAX_LENGTH = 500
#: the largest number of syntax nodes in one expression
MAX_NODES = 200
#: the most digits a number may have
MAX_DIGITS = 30
#: the largest number written in an expression
MAX_MAGNITUDE = 10**15
#: the functions an expression may call
FUNCTIONS = ("abs", "min", "max")


class ExprError(InputError):
    """An expression that cannot be read or evaluated; the message says why. (An
    :class:`~realpolitik.errors.InputError`, so also a ``ValueError``.)"""


def as_fraction(value: Any) -> Fraction:
    """A number (int, float, Fraction, Decimal, or a numeric text such as ``"1/3"``) as an
    exact fraction; a float is read from its shortest decimal text (``0.1`` -> 1/10)."""
    if isinstance(value, bool):
        raise ExprError(f"expected a number, got {str(value).lower()}")
    if isinstance(value, Fraction):
        return value
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ExprError(f"expected a finite number, got {value!r}")
        return Fraction(repr(value))
    try:
        return Fraction(str(value))
    except (ValueError, ZeroDivisionError):
        raise ExprError(f"expected a number, got {value!r}") from None


def number_text(x: Fraction) -> str:
    """``x`` as short text: an integer, a terminating decimal, or a fraction ``a/b``."""
    if x.denominator == 1:
        return str(x.numerator)
    d = x.denominator
    while d % 2 == 0:
        d //= 2
    while d % 5 == 0:
        d //= 5
    if d == 1:  # a terminating decimal
        text = f"{float(x)!r}"
        if Fraction(text) == x:
            return text
    return f"{x.numerator}/{x.denominator}"


@dataclass(frozen=True)
class Expr:
    """An expression's text, parsed once; :meth:`evaluate` computes it exactly.

    Build with :meth:`parse` (which raises :class:`ExprError` with the reason) or
    :meth:`constant`.
    """

    text: str
    names: frozenset[str] = frozenset()
    _tree: ast.expr | None = field(default=None, compare=False, repr=False)
    _value: Fraction | None = field(default=None, compare=False, repr=False)

    @classmethod
    def constant(cls, value: Any) -> Expr:
        x = as_fraction(value)
        return cls(number_text(x), frozenset(), None, x)

    @classmethod
    def parse(cls, source: Any) -> Expr:
        """A number, or the text of an expression."""
        if isinstance(source, (int, float, Fraction)) and not isinstance(source, bool):
            return cls.constant(source)
        if not isinstance(source, str):
            raise ExprError(f"expected a number or an expression, got {type(source).__name__}")
        text = source.strip()
        if not text:
            raise ExprError("expected a number or an expression, got empty text")
        if len(text) > MAX_LENGTH:
            raise ExprError(f"an expression of {len(text)} characters; at most {MAX_LENGTH}")
        try:
            tree = ast.parse(text, mode="eval").body
        except SyntaxError:
            raise ExprError(
                f"cannot read {text!r}: expected numbers, parameter names, + - * /, "
                f"parentheses and {', '.join(FUNCTIONS)}"
            ) from None
        names: set[str] = set()
        count = 0
        callees = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
        for node in ast.walk(tree):
            count += 1
            if id(node) not in callees:
                _check(node, text, names)
        if count > MAX_NODES:
            raise ExprError(f"{text!r} is too long an expression; at most {MAX_NODES} terms")
        if not names:  # a constant: fold it now
            return cls(text, frozenset(), None, _eval(tree, text, {}))
        return cls(text, frozenset(names), tree, None)

    @property
    def is_constant(self) -> bool:
        return self._value is not None

    def evaluate(self, values: Mapping[str, Fraction] | None = None) -> Fraction:
        """The exact value with the parameters ``values``; :class:`ExprError` names a
        parameter that is not given or a division by zero."""
        if self._value is not None:
            return self._value
        assert self._tree is not None
        return _eval(self._tree, self.text, values or {})

    def __str__(self) -> str:
        return self.text


_BINOPS = (ast.Add, ast.Sub, ast.Mult, ast.Div)
_UNARY = (ast.USub, ast.UAdd)


def _check(node: ast.AST, text: str, names: set[str]) -> None:
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            raise ExprError(f"{text!r}: {node.value!r} is not a number")
        return
    if isinstance(node, ast.Name):
        if node.id in FUNCTIONS:
            raise ExprError(f"{text!r}: {node.id} is a function; write {node.id}(a, b)")
        names.add(node.id)
        return
    if isinstance(node, ast.BinOp):
        if not isinstance(node.op, _BINOPS):
            raise ExprError(f"{text!r}: only + - * / are allowed")
        return
    if isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, _UNARY):
            raise ExprError(f"{text!r}: only + - * / are allowed")
        return
    if isinstance(node, ast.Call):
        f = node.func
        if not isinstance(f, ast.Name) or f.id not in FUNCTIONS or node.keywords or not node.args:
            raise ExprError(f"{text!r}: the only functions are {', '.join(FUNCTIONS)}")
        if f.id == "abs" and len(node.args) != 1:
            raise ExprError(f"{text!r}: abs takes one number")
        if any(isinstance(a, ast.Starred) for a in node.args):
            raise ExprError(f"{text!r}: the only functions are {', '.join(FUNCTIONS)}")
        return
    if isinstance(node, (ast.operator, ast.unaryop, ast.expr_context)):
        return
    raise ExprError(
        f"{text!r}: not allowed here ({type(node).__name__}); expected numbers, parameter "
        f"names, + - * /, parentheses and {', '.join(FUNCTIONS)}"
    )


def _eval(node: ast.expr, text: str, values: Mapping[str, Fraction]) -> Fraction:
    if isinstance(node, ast.Constant):
        segment = ast.get_source_segment(text, node) or repr(node.value)
        digits = sum(ch.isdigit() for ch in segment)
        if digits > MAX_DIGITS:
            raise ExprError(f"{text!r}: a number of {digits} digits; at most {MAX_DIGITS}")
        x = as_fraction(segment.replace("_", ""))
        if abs(x) > MAX_MAGNITUDE:
            raise ExprError(f"{text!r}: {segment} is too large; at most {MAX_MAGNITUDE:.0e}")
        return x
    if isinstance(node, ast.Name):
        if node.id not in values:
            known = ", ".join(sorted(values)) or "none are defined"
            raise ExprError(f"{text!r}: unknown parameter {node.id!r} (parameters: {known})")
        return values[node.id]
    if isinstance(node, ast.UnaryOp):
        v = _eval(node.operand, text, values)
        return -v if isinstance(node.op, ast.USub) else v
    if isinstance(node, ast.BinOp):
        a, b = _eval(node.left, text, values), _eval(node.right, text, values)
        if isinstance(node.op, ast.Add):
            return a + b
        if isinstance(node.op, ast.Sub):
            return a - b
        if isinstance(node.op, ast.Mult):
            return a * b
        if b == 0:
            raise ExprError(f"{text!r}: division by zero")
        return a / b
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        args = [_eval(a, text, values) for a in node.args]
        if node.func.id == "abs":
            return abs(args[0])
        return min(args) if node.func.id == "min" else max(args)
    raise ExprError(f"{text!r}: cannot evaluate")  # unreachable after _check
