"""Read the forms on a page as a browser without JavaScript would submit them, so tests post what the page
actually offers (field names, hidden op_id) rather than what we think it offers."""
from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Form:
    action: str
    attrs: dict
    fields: dict[str, str] = field(default_factory=dict)
    buttons: list[tuple[str, str, str]] = field(default_factory=list)  # (name, value, text)
    labels: list[str] = field(default_factory=list)

    @property
    def op_type(self) -> str | None:
        return self.attrs.get("data-op-type")

    def filled(self, button: str | None = None, **values) -> dict:
        """The fields as submitted with `button`'s name=value (a submit button sends its own value)."""
        submitted = dict(self.fields)
        if button is not None:
            name, value, _ = next(b for b in self.buttons if b[2].startswith(button) or b[1] == button)
            submitted[name] = value
        submitted.update(values)
        return submitted


class _FormReader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._textarea: str | None = None
        self._select: str | None = None
        self._button: list | None = None
        self._label: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self._form = Form(attrs.get("action", ""), attrs)
            self.forms.append(self._form)
        if self._form is None:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("radio", "checkbox"):
                if "checked" in attrs:
                    self._form.fields[name] = attrs.get("value", "on")
            else:
                self._form.fields[name] = attrs.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self._form.fields[name] = ""
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select:
            if self._select not in self._form.fields or "selected" in attrs:
                self._form.fields[self._select] = attrs.get("value", "")
        elif tag == "button":
            self._button = [name or "", attrs.get("value", ""), ""]
        elif tag == "label":
            self._label = []

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "button" and self._button is not None and self._form is not None:
            self._form.buttons.append((self._button[0], self._button[1], self._button[2].strip()))
            self._button = None
        elif tag == "label" and self._label is not None and self._form is not None:
            self._form.labels.append(" ".join("".join(self._label).split()))
            self._label = None

    def handle_data(self, data):
        if self._form is not None and self._textarea:
            self._form.fields[self._textarea] += data
        if self._button is not None:
            self._button[2] += data
        if self._label is not None:
            self._label.append(data)


def forms_on(html: str, op_type: str | None = None) -> list[Form]:
    reader = _FormReader()
    reader.feed(html)
    return [form for form in reader.forms if op_type is None or form.op_type == op_type]
