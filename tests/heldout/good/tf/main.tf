data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::754728514883:root"]
    }
    condition {
      test     = "StringEquals"
      variable = "sts:ExternalId"
      values   = [var.external_id]
    }
  }
}

variable "external_id" {
  type = string
}

resource "aws_iam_role" "newrelic" {
  name               = "newrelic"
  assume_role_policy = data.aws_iam_policy_document.trust.json
}

resource "aws_iam_role_policy" "deny_elsewhere" {
  role = aws_iam_role.newrelic.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Deny"
      Action    = "*"
      Resource  = "*"
      Condition = { NotIpAddress = { "aws:SourceIp" = ["0.0.0.0/0"] } }
    }]
  })
}
