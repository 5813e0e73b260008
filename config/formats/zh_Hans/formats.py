"""Django's zh_Hans formats, with the ISO date first: a form renders a date with the first
input format, and `<input type="date">` (every step page, every phone) reads only
2026-12-07 — with Django's 2026/12/07 first it comes up blank. Typing 2026/12/07 or
2026年12月7日 into a text date field still works."""

DATE_INPUT_FORMATS = [
    "%Y-%m-%d",  # '2016-09-05'
    "%Y/%m/%d",  # '2016/09/05'
    "%Y年%m月%d日",  # '2016年9月5日' (strptime reads one digit for %m and %d)
]

DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M:%S",  # '2016-09-05 20:45:29'
    "%Y-%m-%d %H:%M",  # '2016-09-05 20:45'
    "%Y-%m-%d %H:%M:%S.%f",  # '2016-09-05 20:45:29.000200'
    "%Y/%m/%d %H:%M",  # '2016/09/05 20:45'
    "%Y/%m/%d %H:%M:%S",  # '2016/09/05 20:45:29'
    "%Y年%m月%d日 %H:%M",  # '2016年9月5日 14:45'
    "%Y年%m月%d日 %H:%M:%S",  # '2016年9月5日 20:45:29'
]
