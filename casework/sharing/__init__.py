"""Information sharing: the one place that decides who may see which case data.

Protocols (config/isp/*.toml) are read and checked at start-up; ``engine`` answers
``may``/``visible_fields`` and supplies the SQL filter every list, agenda, export and search
uses, so "can open it" and "appears in the list" cannot disagree.
"""
