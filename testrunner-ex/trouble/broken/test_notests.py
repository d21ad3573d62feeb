"""No test_suite() and no TestCase classes: zope.testrunner reports
TypeError: Module trouble.broken.test_notests does not define any tests"""

CONSTANT = 42
