pipy().pipeline("OUTSIDE-THE-REPOSITORY")
