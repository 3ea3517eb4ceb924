page_patterns: list = []
