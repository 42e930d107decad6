"""Template filters for lesson text."""

from lessons.templatetags.lesson_text import paragraphs


def test_paragraphs_drop_the_line_breaks_of_the_content_file():
    text = "The Bolsheviks were seen\nas the saviours of Petrograd.\n\n  Their support\r\ngrew.\n"
    assert paragraphs(text) == (
        "<p>The Bolsheviks were seen as the saviours of Petrograd.</p>\n<p>Their support grew.</p>"
    )


def test_paragraphs_escape_and_skip_empty_text():
    assert (
        paragraphs("Kerensky <b>fled</b> & hid")
        == "<p>Kerensky &lt;b&gt;fled&lt;/b&gt; &amp; hid</p>"
    )
    assert paragraphs("") == ""
    assert paragraphs("\n\n \n") == ""
