"""The robot's view of SECOP II: the browser, politeness limits and page objects.

Page objects (``robot.portal.pages``) are the only place that knows the portal's labels,
roles and ids; flows (``robot.flows``) hold the order of the steps and never a selector.
"""
