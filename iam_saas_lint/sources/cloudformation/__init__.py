"""The CloudFormation family: templates in JSON or YAML, SAM, CDK synth output, Serverless and StackSets.

Importing this package imports nothing else: the format registry names the modules to load.
"""
