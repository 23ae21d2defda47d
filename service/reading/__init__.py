"""Making a reading: from a request to audio in the cache, the same for a click or a queued job.

fetch → extract → speech text → synthesize → encode → cache: `request` checks what was asked,
`fetch` gets the page safely, `extract` finds the article, `speech` turns it into words to say,
`engines` say them, `audio` encodes MP3, `plan` fixes what a reading is, `synthesis` makes its
audio in background threads and `readings` is the front door. No web framework here.
"""
