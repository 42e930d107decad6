"""The public lesson pages."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from lessons import rendering
from lessons.models import KeyTerm, Lesson, Question, Section
from tests.factories import KeyTermFactory, LessonFactory, QuestionFactory, SectionFactory


@pytest.mark.django_db
def test_home_lists_lessons_in_order_with_summaries(client, shipped_lessons):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    positions = [html.index(escape(lesson.title)) for lesson in Lesson.objects.order_by("order")]
    assert positions == sorted(positions)
    for lesson in shipped_lessons:
        assert escape(lesson.summary.strip()[:40]) in html
        assert lesson.get_absolute_url() in html
    assert "/overview/" in html


@pytest.mark.django_db
def test_overview_has_the_big_question_and_timeline(client, shipped_lessons):
    html = client.get("/overview/").content.decode()
    big = Question.objects.get(key="big-question", lesson__slug="bolshevik-support")
    assert escape(big.prompt) in html
    assert "How far was the Kornilov revolt the main reason" in big.prompt
    assert f'href="{big.get_absolute_url()}">Answer the big question</a>' in html
    assert '<a href="/glossary/">glossary</a>' in html
    assert 'class="timeline' in html
    assert "Old Style" in html
    for lesson in shipped_lessons:
        assert lesson.get_absolute_url() in html


@pytest.mark.django_db
def test_every_lesson_page_shows_its_content_and_questions(client, shipped_lessons):
    for lesson in shipped_lessons:
        response = client.get(lesson.get_absolute_url())
        assert response.status_code == 200
        html = response.content.decode()
        assert html.count("<h1") == 1
        for section in lesson.sections.all():
            assert escape(section.heading) in html
        for term in lesson.key_terms.all():
            assert escape(term.term) in html
        assert "Why it mattered" in html
        for question in lesson.questions.active():
            assert f'id="question-{question.key}"' in html
        assert "Log in</a> or join a class" in html


@pytest.mark.django_db
def test_question_sits_after_its_section():
    lesson = LessonFactory()
    SectionFactory(lesson=lesson, position=1, heading="First heading")
    SectionFactory(lesson=lesson, position=2, heading="Second heading")
    QuestionFactory(lesson=lesson, key="about-first", prompt="About the first?", after_section=1)
    QuestionFactory(lesson=lesson, key="at-end", prompt="At the end?", after_section=None)
    from django.test import Client

    html = Client().get(lesson.get_absolute_url()).content.decode()
    assert (
        html.index("First heading")
        < html.index("About the first?")
        < html.index("Second heading")
        < html.index("Why it mattered")
        < html.index("At the end?")
    )


@pytest.mark.django_db
def test_previous_and_next_links(client, shipped_lessons):
    html = client.get("/lessons/july-days/").content.decode()
    assert 'href="/lessons/june-offensive/" rel="prev"' in html
    assert 'href="/lessons/kornilov-revolt/" rel="next"' in html
    first = client.get("/lessons/lenins-return/").content.decode()
    assert 'rel="prev"' not in first
    last = client.get("/lessons/bolshevik-support/").content.decode()
    assert 'rel="next"' not in last


@pytest.mark.django_db
def test_unknown_slug_gives_styled_404(client):
    response = client.get("/lessons/no-such-lesson/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html
    assert "site.css" in html  # the site's own layout, not a bare error


@pytest.mark.django_db
def test_markdown_is_rendered_and_raw_html_is_removed(client):
    lesson = LessonFactory(why_it_mattered="Safe <img src=x onerror=alert(1)> **bold**")
    SectionFactory(
        lesson=lesson,
        position=1,
        body="Some **strong** text <script>alert('x')</script> [link](javascript:alert(1))",
    )
    html = client.get(lesson.get_absolute_url()).content.decode()
    assert "<strong>strong</strong>" in html
    assert "<strong>bold</strong>" in html
    assert "<script>alert" not in html
    assert "onerror" not in html
    assert "javascript:" not in html


@pytest.mark.django_db
def test_edit_shows_at_once_despite_the_cache(client):
    lesson = LessonFactory()
    section = SectionFactory(lesson=lesson, position=1, body="First version of the text")
    assert "First version" in client.get(lesson.get_absolute_url()).content.decode()
    section.body = "Second version of the text"
    section.save()
    assert "Second version" in client.get(lesson.get_absolute_url()).content.decode()
    Section.objects.create(lesson=lesson, position=2, heading="Added later", body="New body")
    assert "New body" in client.get(lesson.get_absolute_url()).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("factory", [SectionFactory, KeyTermFactory, QuestionFactory])
def test_removing_a_part_that_was_not_the_latest_change_shows_at_once(client, factory):
    """A delete leaves the latest change where it was: the count of parts keys it too."""
    lesson = LessonFactory()
    SectionFactory(lesson=lesson, position=9, heading="Kept", body="Kept")
    labels = {SectionFactory: "heading", KeyTermFactory: "term", QuestionFactory: "prompt"}
    field = labels[factory]
    old = factory(lesson=lesson, position=1, **{field: "Soon removed"})
    factory(lesson=lesson, position=2, **{field: "Stays"})  # the latest change of its kind
    assert "Soon removed" in client.get(lesson.get_absolute_url()).content.decode()
    old.delete()
    html = client.get(lesson.get_absolute_url()).content.decode()
    assert "Soon removed" not in html and "Stays" in html


@pytest.mark.django_db
def test_lesson_page_query_count_is_fixed(client, shipped_lessons):
    lesson = shipped_lessons[0]
    client.get(lesson.get_absolute_url())  # warm the rendered-content cache
    with CaptureQueriesContext(connection) as ctx:
        client.get(lesson.get_absolute_url())
    # the lessons with their content versions (the page's and the pager's); the body comes
    # from this process's copy of the cache, keyed by that version
    assert len(ctx.captured_queries) == 1, [q["sql"] for q in ctx.captured_queries]


@pytest.mark.django_db
def test_signed_in_readers_get_their_own_cached_body(client, shipped_lessons, student):
    lesson = shipped_lessons[0]
    assert "Log in</a> or join a class" in client.get(lesson.get_absolute_url()).content.decode()
    client.force_login(student)
    html = client.get(lesson.get_absolute_url()).content.decode()
    assert "Log in</a> or join a class" not in html
    assert "open this lesson from your assignments" in html
    client.logout()
    assert "Log in</a> or join a class" in client.get(lesson.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_lesson_list_query_count(client, shipped_lessons):
    with CaptureQueriesContext(connection) as ctx:
        client.get("/")
    assert len(ctx.captured_queries) == 1


@pytest.mark.django_db
def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"


@pytest.mark.django_db
def test_overview_query_count(client, shipped_lessons):
    with CaptureQueriesContext(connection) as ctx:
        client.get("/overview/")
    assert len(ctx.captured_queries) == 2  # the lessons, the big question


@pytest.mark.django_db
def test_rendered_body_is_shared_through_the_cache_between_processes(client, shipped_lessons):
    """Another worker (with an empty local copy) reads the body from the shared cache."""
    lesson = Lesson.objects.with_content_version().get(pk=shipped_lessons[0].pk)
    client.get(lesson.get_absolute_url())
    key = f"lesson-page:{lesson.pk}:{lesson.content_version}:0"
    assert "Why it mattered" in cache.get(key)
    rendering._LOCAL.clear()  # as in another worker
    with CaptureQueriesContext(connection) as ctx:
        html = client.get(lesson.get_absolute_url()).content.decode()
    assert "Why it mattered" in html
    assert len(ctx.captured_queries) == 2  # the lessons, then the shared cache


@pytest.mark.django_db
def test_pages_name_an_icon_the_app_serves(client):
    """Browsers ask for an icon on every page: one of ours, so no request for it goes unanswered."""
    from django.contrib.staticfiles import finders

    html = client.get("/lessons/").content.decode()
    assert '<link rel="icon" href="/static/img/favicon.svg" type="image/svg+xml">' in html
    assert finders.find("img/favicon.svg")


@pytest.mark.django_db
def test_glossary_lists_every_key_term_a_to_z_with_links_that_land(client, shipped_lessons):
    response = client.get("/glossary/")
    assert response.status_code == 200
    html = response.content.decode()
    terms = list(KeyTerm.objects.select_related("lesson"))
    assert terms
    positions = [html.index(f"<dt>{escape(term.term)}</dt>") for term in terms]
    by_name = sorted(zip((t.term.casefold() for t in terms), positions, strict=True))
    assert [p for _, p in by_name] == sorted(positions)  # A to Z
    pages = {}
    for term in terms:
        assert f'href="{term.get_absolute_url()}"' in html
        url = term.lesson.get_absolute_url()
        pages.setdefault(url, client.get(url).content.decode())
        assert f'id="{term.anchor}"' in pages[url]  # the link lands on the term
        assert '<a href="/glossary/">' in pages[url]  # and every lesson links back


@pytest.mark.django_db
def test_glossary_query_count(client, shipped_lessons):
    with CaptureQueriesContext(connection) as ctx:
        client.get("/glossary/")
    assert len(ctx.captured_queries) == 1


@pytest.mark.parametrize("path", ["/", "/overview/", "/glossary/", "/lessons/kornilov-revolt/"])
def test_public_pages_describe_themselves_for_search_engines(client, shipped_lessons, path):
    from html.parser import HTMLParser

    class Description(HTMLParser):
        content = None

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "meta" and attrs.get("name") == "description":
                self.content = attrs.get("content")

    parser = Description()
    parser.feed(client.get(path).content.decode())
    assert parser.content and 50 <= len(parser.content) <= 200, parser.content
    if path.startswith("/lessons/"):
        assert parser.content.startswith("August 1917: In late August 1917")


@pytest.mark.django_db
def test_robots_txt_keeps_crawlers_to_the_public_pages(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    assert "Disallow: /my-work/" in lines and "Disallow: /admin/" in lines
    public = ("/", "/lessons/", "/join/", "/accounts/")
    assert not any(line == f"Disallow: {path}" for path in public for line in lines)
