using System.Text.Json.Serialization;

namespace RadAI.Cli;

/// <summary>The JSON the CLI writes itself, serialised by generated code (no reflection: radai publishes as Native AOT).</summary>
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(DumpError))]
internal sealed partial class CliJsonContext : JsonSerializerContext;
