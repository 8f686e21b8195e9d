"""The DEU III data set as one-issue scenarios with their outcomes.

DEU III (Arregui & Perarnaud 2022, *The Decision-making in the European Union (DEU III)
dataset (1999-2019)*, CORA Repositori de Dades de Recerca, doi:10.34810/data53, licence
CC BY 4.0) codes contested issues of EU legislative proposals: the position (0-100) and
salience (0-100) of the Commission, the Parliament and each member state, the reference
point (the status quo) and the outcome. Cite it wherever results on it are shown.

:func:`read_deu` reads the tab-separated file (one row per issue; the columns are listed in
:data:`COLUMNS`, in any order) into a :class:`DeuTable`; :func:`deu_scenarios` turns each
row into a one-issue :class:`~realpolitik.scenario.Scenario` whose actors are the
Commission, the Parliament and the member states with a position on it, with capabilities
from :mod:`~realpolitik.scenario.eu_weights`, and the observed outcome attached.

Missing values
--------------
A blank cell or ``999`` is missing; the table counts both per column
(:attr:`DeuTable.missing`). Nothing missing is guessed silently:

* an actor without a position takes no part in the issue;
* an actor with a position but no salience is left out (``missing_salience=None``, the
  default) or given the salience ``missing_salience``; either way each case is listed;
* a missing reference point leaves the issue without a status quo;
* a missing outcome leaves the scenario without one (it cannot be scored);
* a row in which nobody has a position becomes no scenario.

Dates
-----
Three forms occur: ``dd-mm-yy``, ``dd-mm-yyyy`` and a four-digit-first form such as
``2014-07-04``. The last is not an ISO date: it is ``dd-mm-yy`` read by a spreadsheet as
``yy-mm-dd`` and written back with a century (the spreadsheet's rule: 00-29 -> 20xx,
30-99 -> 19xx), so ``2014-07-04`` is 14 July 2004 and ``1931-07-06`` is 31 July 2006. On the
development file, reading it so gives every proposal an introduction in the year its id
names and a final act after its introduction; reading it as ISO gives dates in 2029 and
final acts before introductions. ``iso_dates=True`` reads such dates as ISO instead, for a
cleaned file. **Century rule** for two-digit years: 00-49 are 2000-2049, 50-99 are
1950-1999 (DEU III covers proposals of 1996-2019).

Codes as published
------------------
The table as distributed may write a code otherwise than the development file does. Each
variant whose meaning is known is read as the canonical code and noted on the row (and
counted in :attr:`DeuTable.treated`); a code that has no known meaning is refused
(:data:`VOTING_VARIANTS`, :data:`PROCEDURE_VARIANTS`, :func:`read_code`):

* the voting rule (``counvte``) and the procedure (``proc``) in another case or spelled
  out (``qmv``, ``Unanimity``, ``Codecision``, ``Consultation``); ``OLP``, the ordinary
  legislative procedure, is co-decision as the Lisbon Treaty renamed it (Art. 294 TFEU),
  read as ``COD``; ``SLP`` (special legislative procedure) is refused, as it covers
  consultation and consent alike;
* a code followed by a qualifier in brackets, such as ``QMV(10)``: read as the code (QMV),
  the qualifier kept verbatim in the note and not used (no definition of it was at hand;
  the voting rule only labels the issue and groups the back-test's breakdowns);
* ``.`` and ``NA`` in a number or date column, the missing-value markers that Stata and R
  write when a table is exported: read as missing, like a blank.

Every problem of a malformed file (an unknown or missing column, a row of the wrong length,
a cell that is not a number or not on 0-100, an unreadable date, a procedure other than COD
or CNS, an issue id given twice) is collected with the file, the line and the column, and
raised together in one :class:`~realpolitik.errors.ScenarioError`.
"""

from __future__ import annotations

from .cases import NOTE_KINDS, DeuIssue, DeuSet, Note, deu_scenarios, load_deu
from .table import (
    ACTORS,
    CITATION,
    COLUMNS,
    PROCEDURE_VARIANTS,
    VOTING_VARIANTS,
    DeuRow,
    DeuTable,
    parse_date,
    parse_deu,
    read_code,
    read_deu,
)

__all__ = [
    "ACTORS",
    "CITATION",
    "COLUMNS",
    "NOTE_KINDS",
    "PROCEDURE_VARIANTS",
    "VOTING_VARIANTS",
    "DeuIssue",
    "DeuRow",
    "DeuSet",
    "DeuTable",
    "Note",
    "deu_scenarios",
    "load_deu",
    "parse_date",
    "parse_deu",
    "read_code",
    "read_deu",
]
