"""The binder prints every character in a font embedded in the file (issue 24, item 7): "·"
printed as ☒ in every page header with the viewer's STSong-Light, and rare characters of
names (䶮, 𠮷) were at the same risk. Each character of the printed text has a glyph in the
embedded font; one the font lacks is printed as 〓 and listed with its code point and ledger."""

import io

from pypdf import PdfReader

from federation.core import pdf_font
from tests.factories import CraftswomanFactory, PersonFactory, take_file


def fonts_of(reader: PdfReader) -> dict[str, bool]:
    """Each font the pages use: its base name, and whether its program is in the file."""
    found = {}
    for page in reader.pages:
        for font in (page.get("/Resources", {}).get("/Font") or {}).values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            if descriptor is None and "/DescendantFonts" in font:
                descriptor = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            embedded = any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
            found[str(font["/BaseFont"])] = embedded
    return found


def test_every_printed_character_has_a_glyph_in_the_embedded_font(town, taiba, town_admin, client_for):
    town.name = "𠮷䶮镇"  # on the cover and on every page's header
    town.save()
    CraftswomanFactory(person=PersonFactory(village=taiba, name="王䶮"))
    CraftswomanFactory(person=PersonFactory(village=taiba, name="吴𠮷"))
    response = take_file(client_for(town_admin), "/admin/reports/binder/", {"year": "2024", "format": "pdf"})
    assert response.status_code == 200
    assert "台账" in response["Content-Disposition"] or "%E5%8F%B0%E8%B4%A6" in response["Content-Disposition"]
    assert "ledgers" not in response["Content-Disposition"]
    reader = PdfReader(io.BytesIO(b"".join(response.streaming_content)))
    fonts = fonts_of(reader)
    assert fonts and all(embedded for embedded in fonts.values()), fonts
    assert all(pdf_font.NAME in name for name in fonts), fonts  # no font left to the viewer
    text = "".join(page.extract_text() for page in reader.pages)
    have = pdf_font.characters()
    assert [char for char in set(text) if not char.isspace() and ord(char) not in have] == []
    assert "·" in text and "王䶮" in text and "䶮镇" in text
    # 𠮷 is not in the font: printed as 〓, and listed with its code point and where.
    assert "吴〓" in text and "〓䶮镇" in text
    last = reader.pages[-1].extract_text()
    assert "字库缺字" in last and "U+20BB7" in last and "巧手妇女" in last
