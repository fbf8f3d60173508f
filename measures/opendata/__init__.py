"""Open data: the archive of every public record (a Frictionless Data Package with CSV files and a JSON copy) and
its DCAT-AP-NO description for the national data catalogue. What is in it is what the API and the pages show to
someone who is not logged in, and nothing else."""
