"""A Sphinx directive that documents a JSON Schema as tables, read when the docs are built.

    .. schema-reference:: ../schema/plan.schema.json
       :name: plan

walks the schema and emits one section per object (the top level, each object of ``$defs``, and each
object written inline such as ``horizon`` or ``indicator.aggregation``) with a table of its fields:
field, type, required, description, allowed values; then one table of the shared simple types
(ids, dates, enumerations). Types that are references link to their section. The schema file is a
dependency of the page, so editing it rebuilds the page: nothing is copied by hand.

Only the keywords planeval's schemas use are rendered; an unknown keyword in a field is reported as
a Sphinx warning (an error under ``-W``), so that the page never silently leaves a rule out.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

logger = logging.getLogger(__name__)

# keywords rendered (as type, allowed values, description or a note under the table)
_KNOWN = {
    "$ref", "type", "enum", "const", "pattern", "minimum", "maximum", "exclusiveMinimum", "minLength",
    "maxLength", "minItems", "maxItems", "uniqueItems", "items", "oneOf", "properties", "required",
    "additionalProperties", "description", "dependentRequired", "not", "minProperties", "propertyNames",
    "title", "$schema", "$id", "$defs",
}

Schema = dict[str, Any]


def _text(s: str) -> list[nodes.Node]:
    """Description text: `code` (Markdown back-quotes, as the schemas write it) becomes literal."""
    out: list[nodes.Node] = []
    for i, part in enumerate(re.split(r"`([^`]+)`", s)):
        if part:
            out.append(nodes.literal(part, part) if i % 2 else nodes.Text(part))
    return out


def _lit(v: Any) -> nodes.literal:
    s = json.dumps(v, ensure_ascii=False)
    return nodes.literal(s, s)


def _append(parts: list[nodes.Node], more: list[nodes.Node]) -> list[nodes.Node]:
    return [*parts, nodes.Text("; "), *more] if parts else more


def _join(items: list[list[nodes.Node]], sep: str) -> list[nodes.Node]:
    out: list[nodes.Node] = []
    for i, it in enumerate(items):
        if i:
            out.append(nodes.Text(sep))
        out.extend(it)
    return out


class _Walker:
    """Turns one schema into sections; ``name`` prefixes every section id (``schema-plan-goal``)."""

    def __init__(self, directive: SphinxDirective, schema: Schema, name: str, file: str) -> None:
        self.directive = directive
        self.schema = schema
        self.name = name
        self.file = file
        self.defs: dict[str, Schema] = schema.get("$defs", {})
        self.queue: list[tuple[str, Schema]] = []  # objects to document: (title, schema)
        self.queued: set[str] = set()

    # --- ids and links
    def sid(self, title: str) -> str:
        return nodes.make_id(f"schema-{self.name}-{title}")

    def link(self, title: str, shown: str | None = None) -> nodes.Node:
        shown = shown or title
        ref = nodes.reference("", "", refid=self.sid(title))
        ref += nodes.literal(shown, shown)
        return ref

    def external(self, ref: str) -> list[nodes.Node]:
        """A reference to another schema file: ``standard.schema.json`` -> the label schema-standard."""
        other = ref.split("/")[-1].split(".")[0]
        x = addnodes.pending_xref("", refdomain="std", reftype="ref", reftarget=f"schema-{other}",
                                  refexplicit=True, refwarn=True)
        x += nodes.inline(ref, ref)
        return [nodes.Text("a standard ("), x, nodes.Text(")")]

    def warn_unknown(self, s: Schema, where: str) -> None:
        for k in s:
            if k not in _KNOWN:
                logger.warning("%s: %s: schema keyword %r is not rendered by schema_reference.py",
                               self.file, where, k, location=self.directive.get_location())

    # --- one field's type and allowed values
    def describe(self, s: Schema, where: str) -> tuple[list[nodes.Node], list[nodes.Node]]:
        """(type, allowed values) of a schema; inline objects are queued as sections of their own."""
        self.warn_unknown(s, where)
        if "$ref" in s:
            ref = s["$ref"]
            if ref.startswith("#/$defs/"):
                name = ref[len("#/$defs/"):]
                target = self.defs[name]
                if "properties" in target:
                    return [self.link(name)], self.constraints(s)
                # a simple shared type: the name, linked to the shared-types table, and its values
                _, allowed = self.describe(target, name)
                return [self.link("types", name)], allowed + self.constraints(s)
            return self.external(ref), []
        if "oneOf" in s:
            types, allowed = [], []
            for alt in s["oneOf"]:
                t, a = self.describe(alt, f"{where} (object)" if "properties" in alt else where)
                if alt.get("description") and "properties" not in alt:
                    t = [*t, nodes.Text(" ("), *_text(alt["description"]), nodes.Text(")")]
                types.append(t)
                if a:
                    allowed.append(a)
            return _join(types, " | "), _join(allowed, "; ")
        if "properties" in s:
            self.enqueue(where, s)
            return [self.link(where, "object")], []
        if "const" in s:
            return [nodes.Text("constant")], [_lit(s["const"])]
        if "enum" in s:
            kinds = sorted({type(v).__name__ for v in s["enum"]})
            return [nodes.Text("string" if kinds == ["str"] else " | ".join(kinds))], \
                _join([[_lit(v)] for v in s["enum"]], ", ")
        t = s.get("type")
        if t == "array":
            item_t, item_a = self.describe(s.get("items", {}), f"{where}[]")
            allowed = self.constraints(s)
            if item_a:
                allowed = _append(allowed, [nodes.Text("items: "), *item_a])
            return [nodes.Text("array of "), *item_t], allowed
        if t == "object":
            if "additionalProperties" in s and isinstance(s["additionalProperties"], dict):
                vt, va = self.describe(s["additionalProperties"], f"{where}{{}}")
                kt: list[nodes.Node] = [nodes.Text("string")]
                if "propertyNames" in s:
                    kt, _ = self.describe(s["propertyNames"], f"{where} keys")
                allowed = self.constraints(s)
                if va:
                    allowed = _append(allowed, [nodes.Text("values: "), *va])
                return [nodes.Text("object: "), *kt, nodes.Text(" → "), *vt], allowed
            return [nodes.Text("object")], self.constraints(s)
        if isinstance(t, list):
            return [nodes.Text(" | ".join(t))], self.constraints(s)
        if t is None:
            return [nodes.Text("any")], self.constraints(s)
        return [nodes.Text(t)], self.constraints(s)

    def constraints(self, s: Schema) -> list[nodes.Node]:
        parts: list[list[nodes.Node]] = []
        if "pattern" in s:
            parts.append([nodes.Text("pattern "), nodes.literal(s["pattern"], s["pattern"])])
        for key, word in (("minimum", "≥ "), ("exclusiveMinimum", "> "), ("maximum", "≤ ")):
            if key in s:
                parts.append([nodes.Text(word + json.dumps(s[key]))])
        for key, word in (("minLength", "at least {} character"), ("maxLength", "at most {} character"),
                          ("minItems", "at least {} item"), ("maxItems", "at most {} item"),
                          ("minProperties", "at least {} key")):
            if key in s:
                n = s[key]
                if key == "minLength" and n == 1:
                    parts.append([nodes.Text("not empty")])
                else:
                    parts.append([nodes.Text(word.format(n) + ("" if n == 1 else "s"))])
        if s.get("uniqueItems"):
            parts.append([nodes.Text("no repeated items")])
        return _join(parts, "; ")

    def enqueue(self, title: str, s: Schema) -> None:
        if title not in self.queued:
            self.queued.add(title)
            self.queue.append((title, s))

    # --- sections
    def section(self, title: str, heading: str) -> nodes.section:
        sec = nodes.section(ids=[self.sid(title)])
        sec += nodes.title(heading, heading)
        return sec

    def object_section(self, title: str, s: Schema) -> nodes.section:
        sec = self.section(title, "Top level" if title == "top level" else title)
        if s.get("description") and s is not self.schema:  # the schema's own is shown above
            sec += nodes.paragraph("", "", *_text(s["description"]))
        required = set(s.get("required", []))
        table, body = _table(["Field", "Type", "Required", "Description", "Allowed values"],
                             [14, 22, 8, 36, 20])
        for field, fs in s["properties"].items():
            where = f"{title}.{field}" if title != "top level" else field
            t, a = self.describe(fs, where)
            desc = fs.get("description") or (self.defs.get(fs["$ref"][8:], {}).get("description", "")
                                              if str(fs.get("$ref", "")).startswith("#/$defs/") else "")
            body += _row([[nodes.literal(field, field)], t, [nodes.Text("yes" if field in required else "")],
                          _text(desc), a])
        sec += table
        notes: list[list[nodes.Node]] = []
        if s.get("additionalProperties") is False:
            notes.append([nodes.Text("No other keys are allowed.")])
        for f, needs in s.get("dependentRequired", {}).items():
            notes.append([nodes.literal(f, f), nodes.Text(" requires "),
                          *_join([[nodes.literal(n, n)] for n in needs], ", "), nodes.Text(".")])
        if "not" in s and set(s["not"]) == {"required"}:
            together = _join([[nodes.literal(n, n)] for n in s["not"]["required"]], ", ")
            notes.append([nodes.Text("Not all of "), *together, nodes.Text(" together.")])
        elif "not" in s:
            logger.warning("%s: %s: a 'not' other than {required: [...]} is not rendered", self.file, title,
                           location=self.directive.get_location())
        if "oneOf" in s and all(set(alt) == {"required"} for alt in s["oneOf"]):
            one = _join([[nodes.literal(n, n)] for alt in s["oneOf"] for n in alt["required"]], ", ")
            notes.append([nodes.Text("Exactly one of "), *one, nodes.Text(".")])
        elif "oneOf" in s:
            logger.warning("%s: %s: an object-level oneOf other than required alternatives is not rendered",
                           self.file, title, location=self.directive.get_location())
        if notes:
            bl = nodes.bullet_list()
            for n in notes:
                bl += nodes.list_item("", nodes.paragraph("", "", *n))
            sec += bl
        return sec

    def types_section(self, simple: list[str]) -> nodes.section:
        sec = self.section("types", "Shared types")
        sec += nodes.paragraph("", "", nodes.Text("Simple types that fields above refer to by name."))
        table, body = _table(["Name", "Type", "Description", "Allowed values"], [14, 26, 36, 24])
        for name in simple:
            s = self.defs[name]
            t, a = self.describe(s, name)
            body += _row([[nodes.literal(name, name)], t, _text(s.get("description", "")), a])
        sec += table
        return sec

    def run(self) -> list[nodes.Node]:
        self.warn_unknown(self.schema, "top level")
        out: list[nodes.Node] = []
        intro = nodes.paragraph()
        intro += nodes.Text("Generated from ")
        intro += nodes.literal(self.file, self.file)
        intro += nodes.Text(f" ({self.schema.get('title', '')}).")
        out.append(intro)
        if self.schema.get("description"):
            out.append(nodes.paragraph("", "", *_text(self.schema["description"])))
        self.enqueue("top level", self.schema)
        for name, d in self.defs.items():
            if "properties" in d:
                self.enqueue(name, d)
        i = 0
        while i < len(self.queue):  # sections may queue inline objects as they are rendered
            title, s = self.queue[i]
            out.append(self.object_section(title, s))
            i += 1
        simple = [n for n, d in self.defs.items() if "properties" not in d]
        if simple:
            out.append(self.types_section(simple))
        return out


def _table(headers: list[str], widths: list[int]) -> tuple[nodes.table, nodes.tbody]:
    table = nodes.table(classes=["schema-table"])
    group = nodes.tgroup(cols=len(headers))
    table += group
    for w in widths:
        group += nodes.colspec(colwidth=w)
    head = nodes.thead()
    group += head
    head += _row([[nodes.Text(h)] for h in headers])
    body = nodes.tbody()
    group += body
    return table, body


def _row(cells: list[list[nodes.Node]]) -> nodes.row:
    row = nodes.row()
    for c in cells:
        entry = nodes.entry()
        if c:
            entry += nodes.paragraph("", "", *c)
        row += entry
    return row


class SchemaReference(SphinxDirective):
    required_arguments = 1
    option_spec = {"name": directives.unchanged_required}  # noqa: RUF012

    def run(self) -> list[nodes.Node]:
        rel, path = self.env.relfn2path(self.arguments[0], self.env.docname)
        self.env.note_dependency(rel)
        try:
            schema = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            logger.warning("schema-reference: cannot read %s: %s", path, e, location=self.get_location())
            return []
        name = self.options.get("name") or Path(path).name.split(".")[0]
        shown = Path(self.arguments[0]).as_posix().lstrip("./")
        return _Walker(self, schema, name, shown).run()


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("schema-reference", SchemaReference)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
