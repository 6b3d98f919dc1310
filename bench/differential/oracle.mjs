// Reads one simulation per line (JSON) on stdin and writes one result per line:
// {"result": "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied"} or {"error": "..."}.
// Needs @cloud-copilot/iam-simulate (AGPL-3.0, a development-time oracle only): see README.md.
import { createInterface } from 'node:readline'
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'

const base = process.env.ISIM_PREFIX || new URL('.', import.meta.url).pathname
const require = createRequire(base.endsWith('/') ? base : base + '/')
const simulate = await import(pathToFileURL(require.resolve('@cloud-copilot/iam-simulate')).href)

const lines = createInterface({ input: process.stdin })
for await (const line of lines) {
  if (!line.trim()) continue
  try {
    const response = await simulate.runSimulation(JSON.parse(line), {})
    if (response.resultType === 'error') {
      process.stdout.write(JSON.stringify({ error: JSON.stringify(response.errors).slice(0, 400) }) + '\n')
    } else {
      process.stdout.write(JSON.stringify({ result: response.overallResult }) + '\n')
    }
  } catch (error) {
    process.stdout.write(JSON.stringify({ error: String(error).slice(0, 400) }) + '\n')
  }
}
