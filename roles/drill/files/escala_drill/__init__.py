"""escala's failover drill, controller side: traffic, observation, waits and the report.

Run as `python -m escala_drill <command>` with this folder's parent on PYTHONPATH (the drill
role does that). Standard library and requests only, so the controller's Ansible
virtualenv is enough.

Commands:
  observe  write and read through the load balancer and poll every Redis and Sentinel,
           logging each request and each answer as a JSON line, until a stop file appears
           (bounded in time and count);
  wait     block until the observer's latest view satisfies a condition (healthy, agreed,
           rejoined, named) and print when and with which master;
  report   check that every acknowledged write is readable through the load balancer and
           compute one variant's figures from its log;
  summary  merge the variants into latest.json plus a timestamped copy and print a table.
"""
