"""QR codes as inline SVG, for printed notices and licences."""

import base64
import io

import qrcode
import qrcode.constants
import qrcode.image.svg


def qr_svg(data: str) -> str:
    """SVG markup of a QR code for ``data`` (error correction M: survives a smudge)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    code.add_data(data)
    code.make(fit=True)
    image = code.make_image(image_factory=qrcode.image.svg.SvgPathImage)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()


def qr_data_uri(data: str) -> str:
    """A data: URI of the QR code, usable as <img src> in pages and PDFs."""
    svg = qr_svg(data).encode()
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode()
