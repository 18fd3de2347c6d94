using System.Buffers;
using System.Text;

namespace RadAI.Inference.Packages;

/// <summary>A tensor of an ONNX graph's interface: its element type (1: float32) and dimensions (null: symbolic).</summary>
public sealed record OnnxTensorInfo(string Name, int ElementType, IReadOnlyList<long?>? Dims)
{
    /// <summary>ONNX <c>TensorProto.DataType.FLOAT</c>.</summary>
    public const int Float = 1;

    public int? Rank => Dims?.Count;
}

/// <summary>What an ONNX model's main graph offers: opset, inputs (initializers excluded), outputs, every tensor name.</summary>
public sealed record OnnxGraphInfo(long DefaultOpset, IReadOnlyList<OnnxTensorInfo> Inputs, IReadOnlyList<OnnxTensorInfo> Outputs, IReadOnlySet<string> TensorNames);

/// <summary>The activation applied to a network output by the adapter (MONAI bundles apply it in post-processing).</summary>
public enum OutputActivation
{
    None,
    Softmax,
    Sigmoid,
}

/// <summary>One output of the adapted model: the network output it comes from and what is done to it.</summary>
/// <param name="NetworkOutput">Name of the output in the network as exported.</param>
/// <param name="AdaptedOutput">Name of the output of the adapted model.</param>
/// <param name="Activation">Applied first, over the channel axis (1).</param>
/// <param name="Spatial">A map ([N, C, spatial...]): flipped and transposed back to RadAI's layout; else a vector, left as it is.</param>
public sealed record OnnxAdaptedOutput(string NetworkOutput, string AdaptedOutput, OutputActivation Activation, bool Spatial);

/// <summary>
/// How to wrap a network so that it takes and returns tensors in RadAI's layout: the input is transposed
/// (<see cref="Permutation"/>: network axis i is RadAI axis <c>Permutation[i]</c>), then the <see cref="FlippedAxes"/>
/// (network axes) are reversed; spatial outputs get the inverse, after their activation.
/// </summary>
public sealed record OnnxAdapterPlan
{
    public required string NetworkInput { get; init; }

    public required string AdaptedInput { get; init; }

    public required IReadOnlyList<int> Permutation { get; init; }

    public IReadOnlyList<int> FlippedAxes { get; init; } = [];

    public required IReadOnlyList<OnnxAdaptedOutput> Outputs { get; init; }
}

/// <summary>
/// Reads and edits ONNX models at the protobuf level (ONNX Runtime's .NET API cannot edit graphs): the
/// importer of MONAI bundles uses it to see a network's interface and to wrap the network in the few nodes
/// (Transpose, Slice with negative steps, Softmax or Sigmoid) that bridge MONAI's tensor conventions and RadAI's.
/// Everything not touched is copied byte for byte.
/// </summary>
public static class OnnxModelAdapter
{
    // ModelProto, GraphProto, NodeProto, ... field numbers (onnx/onnx.proto).
    private const int ModelGraph = 7;
    private const int ModelOpsetImport = 8;
    private const int OpsetDomain = 1;
    private const int OpsetVersion = 2;
    private const int GraphNode = 1;
    private const int GraphInitializer = 5;
    private const int GraphInput = 11;
    private const int GraphOutput = 12;
    private const int GraphValueInfo = 13;
    private const int NodeInput = 1;
    private const int NodeOutput = 2;
    private const int NodeName = 3;
    private const int NodeOpType = 4;
    private const int NodeAttribute = 5;
    private const int AttributeName = 1;
    private const int AttributeInt = 3;
    private const int AttributeTensor = 5;
    private const int AttributeInts = 8;
    private const int AttributeType = 20;
    private const int AttributeTypeInt = 2;
    private const int AttributeTypeTensor = 4;
    private const int AttributeTypeInts = 7;
    private const int TensorDims = 1;
    private const int TensorDataType = 2;
    private const int TensorInt64Data = 7;
    private const int TensorName = 8;
    private const int TensorTypeInt64 = 7;
    private const int ValueInfoName = 1;
    private const int ValueInfoType = 2;
    private const int TypeTensorType = 1;
    private const int TensorTypeElemType = 1;
    private const int TensorTypeShape = 2;
    private const int ShapeDim = 1;
    private const int DimValue = 1;
    private const int DimParam = 2;

    private const string Prefix = "radai_adapter/";

    /// <summary>The interface of a model's main graph; <see cref="InvalidDataException"/> when it is not an ONNX model.</summary>
    public static OnnxGraphInfo Inspect(byte[] model)
    {
        var (opset, graph) = ReadModel(model);
        var names = new HashSet<string>(StringComparer.Ordinal);
        var initializers = new HashSet<string>(StringComparer.Ordinal);
        var inputs = new List<OnnxTensorInfo>();
        var outputs = new List<OnnxTensorInfo>();
        foreach (var field in Fields(graph))
        {
            switch (field.Number)
            {
                case GraphNode:
                    foreach (var nodeField in Fields(field.Payload).Where(f => f.Number is NodeInput or NodeOutput))
                    {
                        names.Add(nodeField.Text);
                    }

                    break;
                case GraphInitializer:
                    var initializer = Fields(field.Payload).FirstOrDefault(f => f.Number == TensorName).Text;
                    initializers.Add(initializer);
                    names.Add(initializer);
                    break;
                case GraphInput:
                    inputs.Add(ReadValueInfo(field.Payload));
                    break;
                case GraphOutput:
                    outputs.Add(ReadValueInfo(field.Payload));
                    break;
                case GraphValueInfo:
                    names.Add(ReadValueInfo(field.Payload).Name);
                    break;
            }
        }

        names.UnionWith(inputs.Select(i => i.Name));
        names.UnionWith(outputs.Select(o => o.Name));
        return new OnnxGraphInfo(opset, [.. inputs.Where(i => !initializers.Contains(i.Name))], outputs, names);
    }

    /// <summary>
    /// The model wrapped as <paramref name="plan"/> says. Needs opset 10 for flips (Slice steps) and 13 for a
    /// softmax over the channels of a map; <see cref="InvalidOperationException"/> when the plan does not fit the model.
    /// </summary>
    public static byte[] Wrap(byte[] model, OnnxAdapterPlan plan)
    {
        var info = Inspect(model);
        if (plan.FlippedAxes.Count > 0 && info.DefaultOpset < 10)
        {
            throw new InvalidOperationException($"opset {info.DefaultOpset}: reversing axes needs opset 10 or later: export the network again with opset 13 or later.");
        }

        if (plan.Outputs.Any(o => o.Spatial && o.Activation == OutputActivation.Softmax) && info.DefaultOpset < 13)
        {
            throw new InvalidOperationException($"opset {info.DefaultOpset}: the softmax of the bundle's post-processing, over the channels of a map, needs opset 13 or later: export the network again with opset 13 or later.");
        }

        foreach (var name in plan.Outputs.Select(o => o.AdaptedOutput).Prepend(plan.AdaptedInput))
        {
            if (info.TensorNames.Contains(name) || name.StartsWith(Prefix, StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"'{name}' is already a tensor of the model.");
            }
        }

        if (info.TensorNames.Any(n => n.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            throw new InvalidOperationException("the model is already adapted.");
        }

        var rank = info.Inputs.FirstOrDefault(i => i.Name == plan.NetworkInput)?.Rank
            ?? throw new InvalidOperationException($"the model has no input '{plan.NetworkInput}' of known rank.");
        if (plan.Permutation.Count != rank || !plan.Permutation.Order().SequenceEqual(Enumerable.Range(0, rank)))
        {
            throw new InvalidOperationException($"[{string.Join(", ", plan.Permutation)}] is not a permutation of the {rank} axes of the input.");
        }

        var inverse = new int[rank];
        for (var i = 0; i < rank; i++)
        {
            inverse[plan.Permutation[i]] = i;
        }

        var (_, graph) = ReadModel(model);
        var nodes = new NodeBuilder();
        var prefixNodes = InputNodes(plan, nodes);
        var suffixNodes = new List<byte[]>();
        foreach (var output in plan.Outputs)
        {
            suffixNodes.AddRange(OutputNodes(output, plan.FlippedAxes, inverse, nodes));
        }

        var foundInput = false;
        var foundOutputs = new HashSet<string>(StringComparer.Ordinal);
        var newGraph = new ProtoWriter();
        foreach (var node in prefixNodes)
        {
            newGraph.WriteBytes(GraphNode, node);
        }

        foreach (var field in Fields(graph))
        {
            if (field.Number == GraphInput && ReadValueInfo(field.Payload) is { } input && input.Name == plan.NetworkInput)
            {
                foundInput = true;
                newGraph.WriteBytes(GraphInput, RenamedValueInfo(field.Payload, plan.AdaptedInput, inverse));
            }
            else if (field.Number == GraphOutput && plan.Outputs.FirstOrDefault(o => o.NetworkOutput == ReadValueInfo(field.Payload).Name) is { } output)
            {
                foundOutputs.Add(output.NetworkOutput);
                newGraph.WriteBytes(GraphOutput, RenamedValueInfo(field.Payload, output.AdaptedOutput, output.Spatial ? inverse : null));
            }
            else
            {
                newGraph.WriteRaw(field.Raw.Span);
            }
        }

        foreach (var node in suffixNodes)
        {
            newGraph.WriteBytes(GraphNode, node);
        }

        if (!foundInput || foundOutputs.Count != plan.Outputs.Count)
        {
            throw new InvalidOperationException($"the model's graph does not declare input '{plan.NetworkInput}' and outputs {string.Join(", ", plan.Outputs.Select(o => $"'{o.NetworkOutput}'"))}.");
        }

        var result = new ProtoWriter();
        foreach (var field in Fields(model))
        {
            if (field.Number == ModelGraph)
            {
                result.WriteBytes(ModelGraph, newGraph.ToArray());
            }
            else
            {
                result.WriteRaw(field.Raw.Span);
            }
        }

        return result.ToArray();
    }

    /// <summary>Adapted input → Transpose → Slice (reversed axes) → the network's input.</summary>
    private static List<byte[]> InputNodes(OnnxAdapterPlan plan, NodeBuilder nodes)
    {
        var list = new List<byte[]>();
        var flips = plan.FlippedAxes.Count > 0;
        var transposed = flips ? nodes.NewTensor("input_transposed") : plan.NetworkInput;
        list.Add(nodes.Node("Transpose", [plan.AdaptedInput], transposed, ("perm", plan.Permutation.Select(p => (long)p).ToArray())));
        if (flips)
        {
            list.AddRange(nodes.Flip(transposed, plan.NetworkInput, plan.FlippedAxes));
        }

        return list;
    }

    /// <summary>The network's output → activation → Slice (reversed axes) → Transpose back → adapted output.</summary>
    private static List<byte[]> OutputNodes(OnnxAdaptedOutput output, IReadOnlyList<int> flippedAxes, int[] inverse, NodeBuilder nodes)
    {
        var list = new List<byte[]>();
        var current = output.NetworkOutput;
        if (output.Activation != OutputActivation.None)
        {
            var activated = nodes.NewTensor("activated");
            list.Add(output.Activation == OutputActivation.Softmax
                ? nodes.Node("Softmax", [current], activated, ("axis", 1L))
                : nodes.Node("Sigmoid", [current], activated));
            current = activated;
        }

        if (output.Spatial)
        {
            if (flippedAxes.Count > 0)
            {
                var flipped = nodes.NewTensor("output_flipped");
                list.AddRange(nodes.Flip(current, flipped, flippedAxes));
                current = flipped;
            }

            list.Add(nodes.Node("Transpose", [current], output.AdaptedOutput, ("perm", inverse.Select(p => (long)p).ToArray())));
        }
        else
        {
            list.Add(nodes.Node("Identity", [current], output.AdaptedOutput));
        }

        return list;
    }

    /// <summary>Builds nodes with unique names under <see cref="Prefix"/>.</summary>
    private sealed class NodeBuilder
    {
        private int _count;

        public string NewTensor(string what) => $"{Prefix}{what}_{++_count}";

        public byte[] Node(string opType, string[] inputs, string output, params (string Name, object Value)[] attributes)
        {
            var node = new ProtoWriter();
            foreach (var input in inputs)
            {
                node.WriteString(NodeInput, input);
            }

            node.WriteString(NodeOutput, output);
            node.WriteString(NodeName, $"{Prefix}{opType}_{++_count}");
            node.WriteString(NodeOpType, opType);
            foreach (var (name, value) in attributes)
            {
                var attribute = new ProtoWriter();
                attribute.WriteString(AttributeName, name);
                switch (value)
                {
                    case long single:
                        attribute.WriteVarint(AttributeInt, (ulong)single);
                        attribute.WriteVarint(AttributeType, AttributeTypeInt);
                        break;
                    case long[] many:
                        foreach (var item in many)
                        {
                            attribute.WriteVarint(AttributeInts, (ulong)item);
                        }

                        attribute.WriteVarint(AttributeType, AttributeTypeInts);
                        break;
                    case byte[] tensor:
                        attribute.WriteBytes(AttributeTensor, tensor);
                        attribute.WriteVarint(AttributeType, AttributeTypeTensor);
                        break;
                    default:
                        throw new ArgumentException($"Attribute {name}: {value.GetType()} is not written.", nameof(attributes));
                }

                node.WriteBytes(NodeAttribute, attribute.ToArray());
            }

            return node.ToArray();
        }

        /// <summary>Slice(starts −1, ends −∞, steps −1) over <paramref name="axes"/>: those axes reversed.</summary>
        public IEnumerable<byte[]> Flip(string input, string output, IReadOnlyList<int> axes)
        {
            var starts = NewTensor("flip_starts");
            var ends = NewTensor("flip_ends");
            var axesName = NewTensor("flip_axes");
            var steps = NewTensor("flip_steps");
            yield return Constant(starts, [.. axes.Select(_ => -1L)]);
            yield return Constant(ends, [.. axes.Select(_ => long.MinValue)]);
            yield return Constant(axesName, [.. axes.Select(a => (long)a)]);
            yield return Constant(steps, [.. axes.Select(_ => -1L)]);
            yield return Node("Slice", [input, starts, ends, axesName, steps], output);
        }

        private byte[] Constant(string output, long[] values)
        {
            var tensor = new ProtoWriter();
            tensor.WriteVarint(TensorDims, (ulong)values.Length);
            tensor.WriteVarint(TensorDataType, TensorTypeInt64);
            var packed = new ProtoWriter();
            foreach (var value in values)
            {
                packed.WriteVarintValue((ulong)value);
            }

            tensor.WriteBytes(TensorInt64Data, packed.ToArray());
            tensor.WriteString(TensorName, output);
            return Node("Constant", [], output, ("value", tensor.ToArray()));
        }
    }

    private static (long Opset, ReadOnlyMemory<byte> Graph) ReadModel(byte[] model)
    {
        long? opset = null;
        ReadOnlyMemory<byte>? graph = null;
        foreach (var field in Fields(model))
        {
            if (field.Number == ModelGraph && field.WireType == WireLengthDelimited)
            {
                graph = field.Payload;
            }
            else if (field.Number == ModelOpsetImport && field.WireType == WireLengthDelimited)
            {
                var entry = Fields(field.Payload);
                var domain = entry.FirstOrDefault(f => f.Number == OpsetDomain).Text;
                if (domain is "" or "ai.onnx")
                {
                    opset = (long)entry.FirstOrDefault(f => f.Number == OpsetVersion).Varint;
                }
            }
        }

        return graph is { } found && opset is { } version
            ? (version, found)
            : throw new InvalidDataException("not an ONNX model (no graph or no default-domain opset).");
    }

    private static OnnxTensorInfo ReadValueInfo(ReadOnlyMemory<byte> valueInfo)
    {
        var name = "";
        var elementType = 0;
        List<long?>? dims = null;
        foreach (var field in Fields(valueInfo))
        {
            if (field.Number == ValueInfoName)
            {
                name = field.Text;
            }
            else if (field.Number == ValueInfoType)
            {
                foreach (var tensorType in Fields(field.Payload).Where(f => f.Number == TypeTensorType))
                {
                    foreach (var part in Fields(tensorType.Payload))
                    {
                        if (part.Number == TensorTypeElemType)
                        {
                            elementType = (int)part.Varint;
                        }
                        else if (part.Number == TensorTypeShape)
                        {
                            dims = [.. Fields(part.Payload).Where(f => f.Number == ShapeDim).Select(DimOf)];
                        }
                    }
                }
            }
        }

        return new OnnxTensorInfo(name, elementType, dims);

        static long? DimOf(Field dim) => Fields(dim.Payload).FirstOrDefault(f => f.Number == DimValue) is { Number: DimValue } value ? (long)value.Varint : null;
    }

    /// <summary>A value info under another name, its dimensions reordered (<c>new[i] = old[order[i]]</c>) when asked.</summary>
    private static byte[] RenamedValueInfo(ReadOnlyMemory<byte> valueInfo, string name, int[]? order)
    {
        var writer = new ProtoWriter();
        foreach (var field in Fields(valueInfo))
        {
            if (field.Number == ValueInfoName)
            {
                writer.WriteString(ValueInfoName, name);
            }
            else if (field.Number == ValueInfoType && order is not null)
            {
                writer.WriteBytes(ValueInfoType, Rewrite(field.Payload, TypeTensorType, tensorType =>
                    Rewrite(tensorType, TensorTypeShape, shape =>
                    {
                        var dims = Fields(shape).Where(f => f.Number == ShapeDim).ToList();
                        if (dims.Count != order.Length)
                        {
                            return shape.ToArray(); // another rank than the input's: left as declared
                        }

                        var reordered = new ProtoWriter();
                        foreach (var index in order)
                        {
                            reordered.WriteRaw(dims[index].Raw.Span);
                        }

                        return reordered.ToArray();
                    })));
            }
            else
            {
                writer.WriteRaw(field.Raw.Span);
            }
        }

        if (!Fields(valueInfo).Any(f => f.Number == ValueInfoName))
        {
            writer.WriteString(ValueInfoName, name);
        }

        return writer.ToArray();
    }

    /// <summary>A message with each occurrence of sub-message <paramref name="number"/> replaced by <paramref name="rewrite"/> of it.</summary>
    private static byte[] Rewrite(ReadOnlyMemory<byte> message, int number, Func<ReadOnlyMemory<byte>, byte[]> rewrite)
    {
        var writer = new ProtoWriter();
        foreach (var field in Fields(message))
        {
            if (field.Number == number && field.WireType == WireLengthDelimited)
            {
                writer.WriteBytes(number, rewrite(field.Payload));
            }
            else
            {
                writer.WriteRaw(field.Raw.Span);
            }
        }

        return writer.ToArray();
    }

    private const int WireVarint = 0;
    private const int WireFixed64 = 1;
    private const int WireLengthDelimited = 2;
    private const int WireFixed32 = 5;

    /// <summary>A protobuf field: its number, wire type, value (varint, or the payload) and its raw bytes (tag included).</summary>
    private readonly record struct Field(int Number, int WireType, ulong Varint, ReadOnlyMemory<byte> Payload, ReadOnlyMemory<byte> Raw)
    {
        public string Text => Encoding.UTF8.GetString(Payload.Span);
    }

    private static List<Field> Fields(ReadOnlyMemory<byte> message)
    {
        var fields = new List<Field>();
        var span = message.Span;
        var position = 0;
        while (position < span.Length)
        {
            var start = position;
            var tag = ReadVarint(span, ref position);
            var number = (int)(tag >> 3);
            var wireType = (int)(tag & 7);
            if (number == 0)
            {
                throw new InvalidDataException("not an ONNX model (protobuf field number 0).");
            }

            ulong varint = 0;
            ReadOnlyMemory<byte> payload = default;
            switch (wireType)
            {
                case WireVarint:
                    varint = ReadVarint(span, ref position);
                    break;
                case WireFixed64:
                    position = Advance(span, position, 8);
                    break;
                case WireLengthDelimited:
                    var length = ReadVarint(span, ref position);
                    if (length > (ulong)(span.Length - position))
                    {
                        throw new InvalidDataException("not an ONNX model (a protobuf length runs past the end).");
                    }

                    payload = message.Slice(position, (int)length);
                    position += (int)length;
                    break;
                case WireFixed32:
                    position = Advance(span, position, 4);
                    break;
                default:
                    throw new InvalidDataException($"not an ONNX model (protobuf wire type {wireType}).");
            }

            fields.Add(new Field(number, wireType, varint, payload, message[start..position]));
        }

        return fields;
    }

    private static int Advance(ReadOnlySpan<byte> span, int position, int count) =>
        position + count <= span.Length ? position + count : throw new InvalidDataException("not an ONNX model (truncated protobuf field).");

    private static ulong ReadVarint(ReadOnlySpan<byte> span, ref int position)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (position >= span.Length)
            {
                throw new InvalidDataException("not an ONNX model (truncated protobuf varint).");
            }

            var b = span[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }

        throw new InvalidDataException("not an ONNX model (protobuf varint longer than 10 bytes).");
    }

    /// <summary>Writes protobuf fields into a growing buffer.</summary>
    private sealed class ProtoWriter
    {
        private readonly ArrayBufferWriter<byte> _buffer = new();

        public void WriteRaw(ReadOnlySpan<byte> bytes) => _buffer.Write(bytes);

        public void WriteVarint(int number, ulong value)
        {
            WriteVarintValue((ulong)number << 3 | WireVarint);
            WriteVarintValue(value);
        }

        public void WriteBytes(int number, ReadOnlySpan<byte> bytes)
        {
            WriteVarintValue((ulong)number << 3 | WireLengthDelimited);
            WriteVarintValue((ulong)bytes.Length);
            _buffer.Write(bytes);
        }

        public void WriteString(int number, string text) => WriteBytes(number, Encoding.UTF8.GetBytes(text));

        public void WriteVarintValue(ulong value)
        {
            Span<byte> bytes = stackalloc byte[10];
            var count = 0;
            do
            {
                var b = (byte)(value & 0x7F);
                value >>= 7;
                bytes[count++] = value == 0 ? b : (byte)(b | 0x80);
            }
            while (value != 0);

            _buffer.Write(bytes[..count]);
        }

        public byte[] ToArray() => _buffer.WrittenSpan.ToArray();
    }
}
