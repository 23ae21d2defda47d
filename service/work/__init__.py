"""Work done ahead of a visitor's click: the job queue and its workers, pre-generation batches,
sitemaps, and the refresh schedule that keeps cached audio in step with the pages.

Everything here runs the pipeline in `service.reading`; nothing here knows about HTTP requests.
"""
