"""Planning: scenario files, where interventions apply, and the interventions themselves.

* :mod:`~jumeau.plan.scenario`: scenario files (schema, parents, forcing) and their loading;
* :mod:`~jumeau.plan.selection`: the cells and buildings an intervention's ``where`` selects;
* :mod:`~jumeau.plan.interventions`: one function per kind, each returning a new Site.
"""
