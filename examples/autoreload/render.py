"""Render a tiny subset of Markdown (headings and paragraphs) to HTML."""
import html


def render(text, title):
    parts = []
    for block in text.strip().split('\n\n'):
        block = block.strip()
        level = len(block) - len(block.lstrip('#'))
        if 0 < level <= 6 and block[level:level + 1] == ' ':
            parts.append('<h%d>%s</h%d>' % (level, html.escape(block[level + 1:]), level))
        else:
            parts.append('<p>%s</p>' % html.escape(' '.join(block.split())))
    return ('<!doctype html>\n<meta charset="utf-8">\n<title>%s</title>\n%s\n'
            % (html.escape(title), '\n'.join(parts)))
