pipy().pipeline("OUTSIDE-THE-ENVIRONMENT")
