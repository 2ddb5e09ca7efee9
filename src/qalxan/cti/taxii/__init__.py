"""The TAXII 2.1 server's core: what each endpoint answers, without any web framework.

- :mod:`~qalxan.cti.taxii.resources`: discovery, API roots, collections;
- :mod:`~qalxan.cti.taxii.reading`: objects, one object, versions, manifest (paged);
- :mod:`~qalxan.cti.taxii.writing`: add objects (status resource), delete an object, status;
- :mod:`~qalxan.cti.taxii.filters`, :mod:`~qalxan.cti.taxii.paging`: URL parameters and the
  keyset ``next`` token; :mod:`~qalxan.cti.taxii.query`: the SQL, and how collection rights
  and the record policy combine; :mod:`~qalxan.cti.taxii.media`: content negotiation;
- :mod:`~qalxan.cti.taxii.feeds`: partners' collections this platform pulls
  (:mod:`qalxan.cti.pull`).

Every function takes an :class:`qalxan.access.audit.Context` and is audited; errors are the
platform's domain errors, which the web layer turns into TAXII error messages.
"""
