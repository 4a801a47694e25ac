"""Studying scenarios: batch runs, indicators, comparison and the report.

* :mod:`~jumeau.study.runner`: runs scenarios (locally or on Dask) into run folders, with a cache;
* :mod:`~jumeau.study.indicators`: the indicators of one run, per building, site and district;
* :mod:`~jumeau.study.compare`: deltas against a baseline and the public-value scorecard;
* :mod:`~jumeau.study.report`: the comparison as one HTML file.
"""
