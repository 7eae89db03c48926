"""Click's own messages in Spanish, and numeric options with the range of their setting.

Click builds its usage errors ("No such option", "Missing argument", "is not a valid
integer"…) through gettext, looked up at the moment the message is made. :func:`install`
gives click's modules a gettext that answers from :data:`SPANISH`, once, for every command,
including the ones added later; :mod:`robot.cli` then shows the message like any other
problem (exit 1). Help texts (``Usage:``, ``Options``) are left as click writes them.

:class:`SettingNumber` is the type of a numeric option that sets a setting: the setting's
type and range (:mod:`robot.settings`), no ``inf`` or ``nan``, in Spanish.
"""

from __future__ import annotations

import gettext
import importlib
from typing import Any

import click

from robot.settings import SETTINGS

# click's message ids (its English text) -> Spanish. The placeholders are click's own.
SPANISH: dict[str, str] = {
    # parsing the command line
    "No such option {name!r}.": "no existe la opción {name!r}.",
    "No such command {name!r}.": "no existe la orden {name!r}.",
    "Did you mean {possibility}?": "¿quiso decir {possibility}?",
    "(Did you mean one of: {possibilities}?)": "(¿quiso decir una de estas: {possibilities}?)",
    "Option {name!r} does not take a value.": "la opción {name!r} no lleva valor.",
    "Option {name!r} requires an argument.": "la opción {name!r} necesita un valor.",
    "Option {name!r} requires {nargs} arguments.": "la opción {name!r} necesita {nargs} valores.",
    "Argument {name!r} takes {nargs} values.": "el argumento {name!r} lleva {nargs} valores.",
    "Got unexpected extra argument ({args})": "sobra un argumento ({args})",
    "Got unexpected extra arguments ({args})": "sobran argumentos ({args})",
    "Missing command.": "falta la orden.",
    "Missing argument": "falta el argumento",
    "Missing option": "falta la opción",
    "Missing parameter": "falta el parámetro",
    "Missing {param_type}": "falta {param_type}",
    "Missing parameter: {param_name}": "falta el parámetro {param_name}",
    "Takes {nargs} values but 1 was given.": "lleva {nargs} valores, pero se dio 1.",
    "Takes {nargs} values but {len} were given.": "lleva {nargs} valores, pero se dieron {len}.",
    "Value must be an iterable.": "el valor debe ser una lista.",
    # values
    "Invalid value for {param_hint}: {message}": "valor no válido para {param_hint}: {message}",
    "Invalid value: {message}": "valor no válido: {message}",
    "{value!r} is not a valid {number_type}.": "{value!r} no es un número válido.",
    "{value} is not in the range {range}.": "{value} está fuera del rango {range}.",
    "{value!r} is not a valid boolean. Recognized values: {states}": "{value!r} no es sí o no; "
    "valores reconocidos: {states}",
    "{value!r} is not a valid UUID.": "{value!r} no es un UUID válido.",
    "{value!r} is not {choice}.": "{value!r} no es {choice}.",
    "{value!r} is not one of {choices}.": "{value!r} no es ninguno de estos: {choices}.",
    "Choose from:\n\t{choices}": "elija entre:\n\t{choices}",
    "{value!r} does not match the format {format}.": "{value!r} no tiene el formato {format}.",
    "{value!r} does not match the formats {formats}.": "{value!r} no tiene ninguno de los "
    "formatos {formats}.",
    "{len_type} values are required, but {len_value} was given.": "se esperan {len_type} "
    "valores, pero se dio {len_value}.",
    "{len_type} values are required, but {len_value} were given.": "se esperan {len_type} "
    "valores, pero se dieron {len_value}.",
    # files (the Spanish leaves out click's {name}, "file" or "path": the type's metavar)
    "{name} {filename!r} does not exist.": "{filename!r} no existe.",
    "{name} {filename!r} is a file.": "{filename!r} es un archivo, no una carpeta.",
    "{name} {filename!r} is a directory.": "{filename!r} es una carpeta, no un archivo.",
    "{name} {filename!r} is not readable.": "{filename!r} no se puede leer (sin permiso).",
    "{name} {filename!r} is not writable.": "{filename!r} no se puede escribir (sin permiso).",
    "{name} {filename!r} is not executable.": "{filename!r} no se puede ejecutar.",
    "Could not open file {filename!r}: {message}": "no se puede abrir el archivo {filename!r}: "
    "{message}",
    "unknown error": "error desconocido",
    # showing errors, prompts, interruptions
    "Error: {message}": "error: {message}",
    "Try '{command} {option}' for help.": "la ayuda: «{command} {option}».",
    "Aborted!": "interrumpido",
    "Error: The two entered values do not match.": "error: los dos valores no coinciden.",
    "Error: invalid input": "error: valor no válido",
    "Repeat for confirmation": "Repita para confirmar",
}

# click's modules that make messages (each imports gettext's functions as ``_``/``ngettext``).
CLICK_MODULES = (
    "click.core",
    "click.parser",
    "click.types",
    "click.exceptions",
    "click.decorators",
    "click.formatting",
    "click.termui",
)


def spanish(message: str) -> str:
    """click's gettext: the Spanish text of a click message id (itself when not listed)."""
    return SPANISH.get(message, message)


def spanish_plural(singular: str, plural: str, count: int) -> str:
    return spanish(singular if count == 1 else plural)


def install() -> None:
    """Make click's messages Spanish, for every command. Safe to call more than once."""
    for name in CLICK_MODULES:
        module = importlib.import_module(name)
        if getattr(module, "_", None) in (gettext.gettext, spanish):
            module._ = spanish  # type: ignore[attr-defined]
        if getattr(module, "ngettext", None) in (gettext.ngettext, spanish_plural):
            module.ngettext = spanish_plural  # type: ignore[attr-defined]


class SettingNumber(click.ParamType[float]):
    """A numeric option that sets the setting ``name``: its type and its range (no inf/nan)."""

    def __init__(self, name: str) -> None:
        self.setting = SETTINGS[name]
        assert self.setting.is_number, name
        self.integer = type(self.setting.default) is int
        self.name = "entero" if self.integer else "número"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> float:
        number: Any = value
        if isinstance(value, str):
            try:
                number = int(value.strip()) if self.integer else float(value.strip())
            except ValueError:
                number = value
        if not self.integer and isinstance(number, int) and not isinstance(number, bool):
            number = float(number)
        problem = self.setting.problem(number)
        if problem is not None:
            self.fail(problem, param, ctx)
        return int(number) if self.integer else float(number)

    def get_metavar(self, param: click.Parameter, ctx: click.Context) -> str:
        low, high = self.setting.low, self.setting.high
        kind = "ENTERO" if self.integer else "NÚMERO"
        return f"{kind} [{low:g}-{high:g}]" if low is not None and high is not None else kind

    def __repr__(self) -> str:
        return f"SettingNumber({self.setting.name!r})"
