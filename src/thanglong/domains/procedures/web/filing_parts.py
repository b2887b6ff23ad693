"""Read a multipart filing as it streams in: the `dossier` JSON field, and files straight into the store."""

from __future__ import annotations

from collections.abc import AsyncIterator

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header

from thanglong.core.errors import InvalidInput
from thanglong.domains.procedures.dossiers.attachments import ContentStore, StagedFile

# The one text field (the dossier's JSON) is held in memory up to this size.
MAX_FIELD_BYTES = 1024 * 1024


class _Malformed(Exception):
    """The body breaks the limits or the shape of a filing."""


def bad_multipart() -> InvalidInput:
    """Return the error of a body that is not a well-formed multipart filing."""
    return InvalidInput("bad_multipart", "Biểu mẫu không hợp lệ.", "Malformed multipart form.")


class FilingParts:
    """The parts of one filing: text fields in memory, `file` parts staged in the content store."""

    def __init__(self, store: ContentStore, *, max_files: int, max_fields: int) -> None:
        self.store = store
        self.max_files = max_files
        self.max_fields = max_fields
        self.fields: dict[str, bytes] = {}
        self.files: list[StagedFile] = []
        self._files = 0
        self._field_count = 0
        self._header_name = b""
        self._header_value = b""
        self._disposition = b""
        self._field: bytearray | None = None
        self._field_name = ""
        self._file: StagedFile | None = None

    async def read(self, content_type: str, chunks: AsyncIterator[bytes]) -> None:
        """Parse the body; on any failure remove what was staged and raise."""
        try:
            kind, options = parse_options_header(content_type)
            boundary = options.get(b"boundary")
            if kind != b"multipart/form-data" or not boundary:
                raise bad_multipart()
            parser = MultipartParser(
                boundary,
                {
                    "on_part_begin": self._part_begin,
                    "on_part_data": self._part_data,
                    "on_part_end": self._part_end,
                    "on_header_field": self._header_field,
                    "on_header_value": self._header_value_part,
                    "on_header_end": self._header_end,
                    "on_headers_finished": self._headers_finished,
                },
            )
            try:
                async for chunk in chunks:
                    parser.write(chunk)
                parser.finalize()
            except (FormParserError, _Malformed) as exc:
                raise bad_multipart() from exc
        except BaseException:
            self.discard()
            raise

    def discard(self) -> None:
        """Remove every staged file that was not kept."""
        for staged in self.files:
            staged.discard()

    def _part_begin(self) -> None:
        self._disposition = b""
        self._field = None
        self._file = None

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def _header_value_part(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def _header_end(self) -> None:
        if self._header_name.lower() == b"content-disposition":
            self._disposition = self._header_value
        self._header_name = self._header_value = b""

    def _headers_finished(self) -> None:
        _, options = parse_options_header(self._disposition)
        if b"name" not in options:
            raise _Malformed("a part without a name")
        name = _decode(options[b"name"])
        if b"filename" in options:
            self._files += 1
            if self._files > self.max_files:
                raise _Malformed("too many files")
            if name == "file":
                self._file = StagedFile(self.store, _decode(options[b"filename"]))
                self.files.append(self._file)
            # A file under another name is read past and dropped, as before.
            return
        self._field_count += 1
        if self._field_count > self.max_fields:
            raise _Malformed("too many fields")
        self._field, self._field_name = bytearray(), name

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if self._file is not None:
            self._file.write(memoryview(data)[start:end])
        elif self._field is not None:
            if len(self._field) + end - start > MAX_FIELD_BYTES:
                raise _Malformed("a field over the size limit")
            self._field += data[start:end]

    def _part_end(self) -> None:
        if self._field is not None:
            self.fields[self._field_name] = bytes(self._field)
        self._field = None
        self._file = None


def _decode(value: bytes) -> str:
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return value.decode("latin-1")
