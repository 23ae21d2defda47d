"""The web layer, the only package that imports Flask: the app factory, the JSON API, audio
delivery, the HTML pages (demo, listen, widget.js, health), the admin UI and the admin API.
"""
