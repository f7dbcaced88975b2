"""Small valid files for tests, browser tests and benches (uploads are opened and checked,
so a fake header no longer passes). Standard library only."""


def pdf_bytes(text: str = "hello", *, catalog_extra: bytes = b"",
              page_text: str | None = None) -> bytes:
    """A one-page PDF with a cross-reference table, trailer and startxref, which pypdf
    opens. ``text`` goes into a header comment so files differ, ``catalog_extra`` into the
    catalog dictionary (for active-content tests), and ``page_text``, when given, is drawn
    on the page (for previews a person looks at)."""
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842]"
    extra: list[bytes] = []
    if page_text is not None:
        stream = f"BT /F1 12 Tf 72 720 Td ({page_text}) Tj ET".encode()
        page += b" /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >>"
        extra = [b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
                 b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    objects = [b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b" >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               page + b" >>", *extra]
    out = bytearray(b"%PDF-1.4\n% " + text.encode() + b"\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)
