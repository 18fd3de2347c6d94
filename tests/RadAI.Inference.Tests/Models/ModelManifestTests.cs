using System.Text.Json;
using System.Text.RegularExpressions;
using Xunit;

namespace RadAI.Inference.Tests.Models;

/// <summary>Every default package's radai-model.json follows docs/model-packages.md and matches its ONNX file.</summary>
public sealed class ModelManifestTests
{
    private static readonly string[] Statuses = ["DEMO", "RESEARCH", "CLINICAL"];
    private static readonly string[] Modes = ["volume3d", "slice2d", "slices25d", "image2d"];
    private static readonly string[] Kinds = ["segmentation", "detection", "classification", "measurement", "intermediate"];
    private static readonly string[] Analyzers = ["lung-quantification", "nodule-candidates", "brain-icv", "exposure-qc", "mammo-density"];
    private static readonly string[] Intensities = ["none", "hu-window", "clip", "zscore"];

    public static TheoryData<string> Packages => [.. ModelPackages.Names];

    [Fact]
    public void The_five_default_packages_are_there()
    {
        Assert.Equal(["ct-lung-quant", "ct-nodule-demo", "dx-exposure-qc", "mg-density", "mr-brain-icv"], ModelPackages.Names);
    }

    [Theory]
    [MemberData(nameof(Packages))]
    public void The_manifest_has_the_required_fields(string package)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(ModelPackages.PathOf(package, "radai-model.json")));
        var root = document.RootElement;
        Assert.StartsWith("radai.", Text(root, "id"), StringComparison.Ordinal);
        Assert.Matches(@"^\d+\.\d+\.\d+$", Text(root, "version"));
        Assert.NotEmpty(Text(root, "name"));
        Assert.Contains(Text(root, "status"), Statuses);
        Assert.True(Text(root, "intendedUse").Length > 40, "intendedUse is written out");
        var limitations = root.GetProperty("limitations").EnumerateArray().Select(l => l.GetString()).ToList();
        Assert.NotEmpty(limitations);
        Assert.All(limitations, l => Assert.False(string.IsNullOrWhiteSpace(l)));
        Assert.Contains(Text(root, "analyzer"), Analyzers);

        var select = root.GetProperty("select");
        Assert.NotEmpty(select.GetProperty("modalities").EnumerateArray());
        Assert.Equal(JsonValueKind.Array, select.GetProperty("bodyParts").ValueKind);
        Assert.Contains(select.GetProperty("allowMissingBodyPart").ValueKind, new[] { JsonValueKind.True, JsonValueKind.False });
        Assert.All(select.GetProperty("sopClasses").EnumerateArray(), uid => Assert.Matches(@"^1\.2\.840\.10008\.[0-9.]+$", uid.GetString()!));
        if (select.GetProperty("seriesDescription").ValueKind == JsonValueKind.String)
        {
            _ = new Regex(select.GetProperty("seriesDescription").GetString()!, RegexOptions.None, TimeSpan.FromSeconds(1));
        }

        Assert.True(select.GetProperty("minSlices").GetInt32() >= 1);
        _ = select.GetProperty("sliceThicknessMm").GetProperty("min");
        _ = select.GetProperty("sliceThicknessMm").GetProperty("max");
        Assert.Contains(Text(select, "contrast"), new[] { "any", "with", "without" });

        var input = root.GetProperty("input");
        Assert.True(File.Exists(ModelPackages.PathOf(package, Text(input, "onnx"))));
        Assert.Contains(Text(input, "mode"), Modes);
        Assert.Equal(Text(input, "mode") == "volume3d" ? "NCDHW" : "NCHW", Text(input, "layout"));
        Assert.Contains(Text(input.GetProperty("intensity"), "kind"), Intensities);
        if (Text(input.GetProperty("intensity"), "kind") is "hu-window" or "clip")
        {
            Assert.True(input.GetProperty("intensity").GetProperty("min").GetDouble() < input.GetProperty("intensity").GetProperty("max").GetDouble());
        }

        var inference = root.GetProperty("inference");
        Assert.Contains(Text(inference, "mode"), new[] { "whole", "sliding-window" });
        Assert.True(inference.GetProperty("batchSize").GetInt32() >= 1);

        var outputs = root.GetProperty("outputs").EnumerateArray().ToList();
        Assert.NotEmpty(outputs);
        foreach (var output in outputs)
        {
            Assert.NotEmpty(Text(output, "name"));
            Assert.Contains(Text(output, "kind"), Kinds);
            if (Text(output, "kind") == "segmentation")
            {
                Assert.All(output.GetProperty("labels").EnumerateArray(), label =>
                {
                    Assert.True(label.GetProperty("value").GetInt32() >= 1);
                    Assert.NotEmpty(Text(label, "name"));
                    foreach (var code in new[] { "category", "type" })
                    {
                        Assert.Equal("SCT", Text(label.GetProperty(code), "scheme"));
                        Assert.Matches(@"^\d+$", Text(label.GetProperty(code), "value"));
                        Assert.NotEmpty(Text(label.GetProperty(code), "meaning"));
                    }
                });
                Assert.InRange(output.GetProperty("postprocess").GetProperty("threshold").GetDouble(), 0.0, 1.0);
            }

            if (Text(output, "kind") == "measurement")
            {
                Assert.NotEmpty(Text(output, "unit"));
            }
        }

        foreach (var file in new[] { "README.md", "build_model.py" })
        {
            Assert.True(File.Exists(ModelPackages.PathOf(package, file)) || File.Exists(ModelPackages.PathOf(package, "train.py")), $"{package}/{file}");
        }
    }

    [Theory]
    [MemberData(nameof(Packages))]
    public void The_onnx_file_loads_and_has_the_declared_input_and_outputs(string package)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(ModelPackages.PathOf(package, "radai-model.json")));
        var root = document.RootElement;
        var input = root.GetProperty("input");
        using var session = ModelPackages.Open(package, Text(input, "onnx"));
        var rank = Text(input, "layout").Length;

        var inputName = Text(input, "name");
        Assert.True(session.InputMetadata.ContainsKey(inputName), $"{package}: no ONNX input '{inputName}' ({string.Join(", ", session.InputMetadata.Keys)})");
        Assert.Single(session.InputMetadata);
        Assert.Equal(rank, session.InputMetadata[inputName].Dimensions.Length);
        Assert.Equal(typeof(float), session.InputMetadata[inputName].ElementType);

        foreach (var output in root.GetProperty("outputs").EnumerateArray())
        {
            var name = Text(output, "name");
            Assert.True(session.OutputMetadata.ContainsKey(name), $"{package}: no ONNX output '{name}' ({string.Join(", ", session.OutputMetadata.Keys)})");
            Assert.Equal(typeof(float), session.OutputMetadata[name].ElementType);
            if (Text(output, "kind") is "segmentation" or "intermediate")
            {
                Assert.Equal(rank, session.OutputMetadata[name].Dimensions.Length);
            }
        }

        Assert.Equal(root.GetProperty("outputs").GetArrayLength(), session.OutputMetadata.Count);
    }

    [Theory]
    [MemberData(nameof(Packages))]
    public void The_onnx_file_is_small_and_uses_opset_17_at_most(string package)
    {
        var path = ModelPackages.PathOf(package, "model.onnx");
        Assert.InRange(new FileInfo(path).Length, 1, 2 * 1024 * 1024);
        using var session = ModelPackages.Open(package);
        Assert.NotNull(session.ModelMetadata);
        Assert.All(OnnxOpsets(File.ReadAllBytes(path)), opset => Assert.InRange(opset, 1, 17));
    }

    private static string Text(JsonElement element, string property) =>
        element.GetProperty(property).GetString() ?? throw new InvalidDataException($"{property} is null");

    /// <summary>The versions of the opset_import entries of an ONNX ModelProto (field 8: domain = 1, version = 2).</summary>
    private static List<long> OnnxOpsets(byte[] model)
    {
        var versions = new List<long>();
        var position = 0;
        while (position < model.Length)
        {
            var key = ReadVarint(model, ref position);
            var field = key >> 3;
            switch (key & 7)
            {
                case 0:
                    ReadVarint(model, ref position);
                    break;
                case 2:
                    var length = (int)ReadVarint(model, ref position);
                    if (field == 8)
                    {
                        var inner = position;
                        while (inner < position + length)
                        {
                            var innerKey = ReadVarint(model, ref inner);
                            if ((innerKey & 7) == 0)
                            {
                                var value = ReadVarint(model, ref inner);
                                if (innerKey >> 3 == 2)
                                {
                                    versions.Add(value);
                                }
                            }
                            else
                            {
                                var skip = (int)ReadVarint(model, ref inner);
                                inner += skip;
                            }
                        }
                    }

                    position += length;
                    break;
                default:
                    throw new InvalidDataException($"unexpected wire type {key & 7} at {position}");
            }
        }

        return versions;
    }

    private static long ReadVarint(byte[] data, ref int position)
    {
        long value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = data[position++];
            value |= (long)(b & 0x7f) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }
    }
}
