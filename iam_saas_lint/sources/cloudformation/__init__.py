"""The CloudFormation family: templates in JSON or YAML, SAM, CDK synth output, Serverless and StackSets.

- ``files``: which files hold a template (JSON, YAML, Serverless) and reading them.
- ``template``: recognising template-shaped data and naming its sections and resource types.
- ``reader``: one template into an ``Inventory``; ``roles`` builds each role's variants,
  ``links`` says which resources name which, ``documents`` resolves and locates policy documents.
- ``intrinsics`` (with ``text_holes``): ``Ref``, ``Fn::Sub``, ``Fn::Join``, … resolved statically.
- ``conditions``: the combinations of ``Fn::If`` conditions that can occur (role variants).
- ``cdk``, ``serverless``, ``stacksets``, ``metadata``: CDK assemblies, Serverless variables,
  StackSet ``TemplateBody`` templates and ``Metadata`` suppressions.

``Fn::If``: a role whose material tests conditions becomes one ``Role`` per combination of those
conditions that can occur, carrying the combination in ``Role.variant`` (findings show it as
``Logical [if Cond=true]``); the engine then merges a finding that several variants share and
names only the conditions it depends on. A resource-level ``Condition`` counts too: a role exists only where its
condition holds, an attached policy only where its own does.

Importing this package imports none of its modules: the format registry names the ones to load.
"""
