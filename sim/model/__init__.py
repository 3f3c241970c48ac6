"""The SimPy contact center: switches and T-Servers, DNs, agents, calls, routing, traffic, faults.

Data flows one way: :class:`sim.model.model.ContactCenter` builds everything from a scenario
and emits each TEvent Stat Server's connection would receive to one sink, in emission order.
Modules: ``tserver`` (T-Server, DNs, registration, delivery), ``agents``, ``calls`` (one
process per call, the flows of docs/reference/tevents.md §9), ``routing`` (longest-idle agent, flat cost),
``traffic`` (arrivals, agent-originated calls), ``faults``, ``groundtruth`` (the model's own
KPIs), ``rng`` (one random stream per purpose).
"""
