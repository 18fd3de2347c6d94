using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using RadAI.Inference.Packages;
using RadAI.Inference.Volumes;

namespace RadAI.Inference.Runtime;

/// <summary>
/// A raw output of a model. Spatial outputs are on the volume's own grid (channels outermost, then
/// z, y, x); vector outputs (classification scores, scalar measurements) hold <see cref="Channels"/>
/// values, the maximum over slices or windows when the model ran several times.
/// </summary>
public sealed record OutputMap(string Name, int Channels, float[] Data, bool Spatial = true);

/// <summary>A model run: its outputs and how it ran.</summary>
public sealed record ModelRunResult(IReadOnlyDictionary<string, OutputMap> Outputs, string ExecutionProvider, long DurationMs);

/// <summary>
/// Runs a package's model over a volume as its manifest says: resampling, intensity transform, padding,
/// then whole volume, sliding window (Gaussian blending), per slice, 2.5D or single image; outputs are
/// brought back to the volume's grid.
/// </summary>
public sealed class ModelRunner(OnnxSessions sessions)
{
    public ModelRunResult Run(ModelPackage package, Volume volume, CancellationToken cancellationToken)
    {
        var started = Stopwatch.StartNew();
        var manifest = package.Manifest;
        var input = manifest.Input;
        var model = sessions.Get(package.OnnxPath());
        var threeD = input.Mode == "volume3d";

        // Working grid: native, or resampled to the manifest's spacing or size.
        var (wx, wy, wz) = (volume.SizeX, volume.SizeY, volume.SizeZ);
        if (input.Size is { } size)
        {
            (wx, wy, wz) = threeD ? (size[2], size[1], size[0]) : (size[^1], size[^2], volume.SizeZ);
        }
        else if (input.SpacingMm is { } spacing)
        {
            wx = Math.Max(1, (int)Math.Round(volume.SizeX * volume.Spacing.X / spacing[^1]));
            wy = Math.Max(1, (int)Math.Round(volume.SizeY * volume.Spacing.Y / spacing[^2]));
            wz = threeD ? Math.Max(1, (int)Math.Round(volume.SizeZ * volume.Spacing.Z / spacing[0])) : volume.SizeZ;
        }

        var resampled = (wx, wy, wz) != (volume.SizeX, volume.SizeY, volume.SizeZ);
        var values = resampled
            ? VolumeOps.Resample(volume.Data, volume.SizeX, volume.SizeY, volume.SizeZ, wx, wy, wz)
            : (float[])volume.Data.Clone();
        if (input.Photometric == "MONOCHROME2" && volume.Attributes.GetValueOrDefault("PhotometricInterpretation")?.Trim() == "MONOCHROME1")
        {
            VolumeOps.InvertMonochrome1(values, volume.Attributes);
        }

        VolumeOps.ApplyIntensity(values, input.Intensity);
        var fill = VolumeOps.PaddingValue(values, input.Intensity);

        var outputNames = manifest.Outputs.Select(o => o.Name).ToArray();
        Dictionary<string, RawMap> outputs = threeD
            ? manifest.Inference.Mode == "sliding-window"
                ? SlidingWindow3D(model.Session, input, manifest.Inference, outputNames, values, wx, wy, wz, fill, cancellationToken)
                : Whole3D(model.Session, input, outputNames, values, wx, wy, wz, fill, cancellationToken)
            : Slices2D(model.Session, input, manifest.Inference.BatchSize, outputNames, values, wx, wy, wz, fill, cancellationToken);

        var result = new Dictionary<string, OutputMap>(StringComparer.Ordinal);
        foreach (var (name, (channels, data, spatial)) in outputs)
        {
            var native = data;
            if (resampled && spatial)
            {
                // Probabilities go back to the native grid by linear interpolation, channel by channel.
                native = new float[(long)channels * volume.VoxelCount];
                var channelLength = (long)wx * wy * wz;
                for (var c = 0; c < channels; c++)
                {
                    VolumeOps.ResampleInto(data.AsSpan((int)(c * channelLength), (int)channelLength), wx, wy, wz,
                        native.AsSpan((int)(c * volume.VoxelCount), (int)volume.VoxelCount), volume.SizeX, volume.SizeY, volume.SizeZ);
                }
            }

            result[name] = new OutputMap(name, channels, native, spatial);
        }

        return new ModelRunResult(result, model.ExecutionProvider, started.ElapsedMilliseconds);
    }

    /// <summary>An output of a model run over the working grid.</summary>
    private sealed record RawMap(int Channels, float[] Data, bool Spatial);

    private static Dictionary<string, RawMap> Whole3D(InferenceSession session, ModelInput input, string[] outputs, float[] values, int sx, int sy, int sz, float fill, CancellationToken cancellationToken)
    {
        var (px, py, pz) = (VolumeOps.RoundUp(sx, input.SizeMultiple), VolumeOps.RoundUp(sy, input.SizeMultiple), VolumeOps.RoundUp(sz, input.SizeMultiple));
        // values is this run's own working copy: used as is when no padding is needed.
        var unpadded = (px, py, pz) == (sx, sy, sz);
        var padded = unpadded ? values : VolumeOps.Pad(values, sx, sy, sz, px, py, pz, fill);
        var raw = Run(session, input.Name, padded, [1, 1, pz, py, px], outputs, cancellationToken);
        return raw.ToDictionary(r => r.Key, r =>
        {
            if (!r.Value.Spatial)
            {
                return new RawMap(r.Value.Data.Length, r.Value.Data, false);
            }

            var channels = (int)r.Value.Shape[1];
            if (unpadded)
            {
                return new RawMap(channels, r.Value.Data, true);
            }

            var cropped = new float[(long)channels * sx * sy * sz];
            var paddedLength = (long)px * py * pz;
            for (var c = 0; c < channels; c++)
            {
                VolumeOps.CropInto(r.Value.Data.AsSpan((int)(c * paddedLength), (int)paddedLength), px, py, cropped.AsSpan((int)(c * (long)sx * sy * sz)), sx, sy, sz);
            }

            return new RawMap(channels, cropped, true);
        });
    }

    private static Dictionary<string, RawMap> SlidingWindow3D(InferenceSession session, ModelInput input, InferenceSettings settings, string[] outputs, float[] values, int sx, int sy, int sz, float fill, CancellationToken cancellationToken)
    {
        var roi = settings.RoiSize!;
        var (rz, ry, rx) = (roi[0], roi[1], roi[2]);
        var (px, py, pz) = (Math.Max(sx, rx), Math.Max(sy, ry), Math.Max(sz, rz));
        var padded = (px, py, pz) == (sx, sy, sz) ? values : VolumeOps.Pad(values, sx, sy, sz, px, py, pz, fill);
        var weights = Importance(rx, ry, rz, settings.Blending);
        var accumulated = new Dictionary<string, float[]>();
        var channelsOf = new Dictionary<string, int>();
        var weightSum = new float[(long)px * py * pz];
        var vectors = new Dictionary<string, float[]>();
        foreach (var oz in Starts(pz, rz, settings.Overlap))
        {
            foreach (var oy in Starts(py, ry, settings.Overlap))
            {
                foreach (var ox in Starts(px, rx, settings.Overlap))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var window = new float[(long)rx * ry * rz];
                    for (var z = 0; z < rz; z++)
                    {
                        for (var y = 0; y < ry; y++)
                        {
                            padded.AsSpan((((oz + z) * py) + oy + y) * px + ox, rx).CopyTo(window.AsSpan(((z * ry) + y) * rx, rx));
                        }
                    }

                    foreach (var (name, output) in Run(session, input.Name, window, [1, 1, rz, ry, rx], outputs, cancellationToken))
                    {
                        if (!output.Spatial)
                        {
                            vectors[name] = MaxInto(vectors.GetValueOrDefault(name), output.Data);
                            continue;
                        }

                        var channels = (int)output.Shape[1];
                        channelsOf[name] = channels;
                        if (!accumulated.TryGetValue(name, out var sum))
                        {
                            accumulated[name] = sum = new float[(long)channels * px * py * pz];
                        }

                        var windowLength = rx * ry * rz;
                        for (var c = 0; c < channels; c++)
                        {
                            for (var z = 0; z < rz; z++)
                            {
                                for (var y = 0; y < ry; y++)
                                {
                                    for (var x = 0; x < rx; x++)
                                    {
                                        var w = weights[((z * ry) + y) * rx + x];
                                        sum[(c * (long)px * py * pz) + ((((oz + z) * py) + oy + y) * px) + ox + x] += output.Data[(c * windowLength) + ((z * ry) + y) * rx + x] * w;
                                    }
                                }
                            }
                        }
                    }

                    for (var z = 0; z < rz; z++)
                    {
                        for (var y = 0; y < ry; y++)
                        {
                            for (var x = 0; x < rx; x++)
                            {
                                weightSum[((((oz + z) * py) + oy + y) * px) + ox + x] += weights[((z * ry) + y) * rx + x];
                            }
                        }
                    }
                }
            }
        }

        var maps = accumulated.ToDictionary(a => a.Key, a =>
        {
            var channels = channelsOf[a.Key];
            var paddedLength = (long)px * py * pz;
            var result = new float[(long)channels * sx * sy * sz];
            for (var c = 0; c < channels; c++)
            {
                var channel = a.Value.AsSpan((int)(c * paddedLength), (int)paddedLength);
                for (var i = 0; i < channel.Length; i++)
                {
                    channel[i] /= Math.Max(weightSum[i], 1e-6f);
                }

                VolumeOps.CropInto(channel, px, py, result.AsSpan((int)(c * (long)sx * sy * sz)), sx, sy, sz);
            }

            return new RawMap(channels, result, true);
        });
        foreach (var (name, vector) in vectors)
        {
            maps[name] = new RawMap(vector.Length, vector, false);
        }

        return maps;
    }

    private static Dictionary<string, RawMap> Slices2D(InferenceSession session, ModelInput input, int batchSize, string[] outputs, float[] values, int sx, int sy, int sz, float fill, CancellationToken cancellationToken)
    {
        var context = input.Mode == "slices25d" ? input.ContextSlices : 0;
        var inChannels = (2 * context) + 1;
        var (px, py) = (VolumeOps.RoundUp(sx, input.SizeMultiple), VolumeOps.RoundUp(sy, input.SizeMultiple));
        var sliceLength = sx * sy;
        var paddedSlice = px * py;
        var results = new Dictionary<string, float[]>();
        var channelsOf = new Dictionary<string, int>();
        var vectors = new Dictionary<string, float[]>();
        batchSize = Math.Max(1, batchSize);
        for (var start = 0; start < sz; start += batchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var count = Math.Min(batchSize, sz - start);
            var batch = new float[(long)count * inChannels * paddedSlice];
            for (var b = 0; b < count; b++)
            {
                for (var c = 0; c < inChannels; c++)
                {
                    // 2.5D: neighbours as channels, clamped at the ends of the volume.
                    var z = Math.Clamp(start + b + c - context, 0, sz - 1);
                    VolumeOps.PadInto(values.AsSpan(z * sliceLength, sliceLength), sx, sy, 1,
                        batch.AsSpan((int)(((b * inChannels) + c) * (long)paddedSlice), paddedSlice), px, py, 1, fill);
                }
            }

            foreach (var (name, output) in Run(session, input.Name, batch, [count, inChannels, py, px], outputs, cancellationToken))
            {
                if (!output.Spatial)
                {
                    // [count, K] (or [K] for one image): the maximum over the slices.
                    var perItem = output.Data.Length / count;
                    for (var b = 0; b < count; b++)
                    {
                        vectors[name] = MaxInto(vectors.GetValueOrDefault(name), output.Data.AsSpan(b * perItem, perItem).ToArray());
                    }

                    continue;
                }

                var channels = (int)output.Shape[1];
                channelsOf[name] = channels;
                if (!results.TryGetValue(name, out var volumeOut))
                {
                    results[name] = volumeOut = new float[(long)channels * sz * sliceLength];
                }

                for (var b = 0; b < count; b++)
                {
                    for (var c = 0; c < channels; c++)
                    {
                        VolumeOps.CropInto(output.Data.AsSpan((int)(((b * channels) + c) * (long)paddedSlice), paddedSlice), px, py,
                            volumeOut.AsSpan((int)((c * (long)sz * sliceLength) + ((start + b) * (long)sliceLength)), sliceLength), sx, sy, 1);
                    }
                }
            }
        }

        var maps = results.ToDictionary(r => r.Key, r => new RawMap(channelsOf[r.Key], r.Value, true));
        foreach (var (name, vector) in vectors)
        {
            maps[name] = new RawMap(vector.Length, vector, false);
        }

        return maps;
    }

    private static float[] MaxInto(float[]? accumulated, float[] values)
    {
        if (accumulated is null)
        {
            return values;
        }

        for (var i = 0; i < Math.Min(accumulated.Length, values.Length); i++)
        {
            accumulated[i] = Math.Max(accumulated[i], values[i]);
        }

        return accumulated;
    }

    /// <summary>An output as the model returned it; rank 4 or 5 is a map, lower ranks a vector.</summary>
    private sealed record RawOutput(long[] Shape, float[] Data)
    {
        public bool Spatial => Shape.Length >= 4;
    }

    private static Dictionary<string, RawOutput> Run(InferenceSession session, string inputName, float[] data, long[] shape, string[] outputNames, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var value = OrtValue.CreateTensorValueFromMemory(data, shape);
        using var runOptions = new RunOptions();
        // Cancellation (shutdown, the run's time limit) stops ONNX Runtime between kernels, not only between slices.
        using var registration = cancellationToken.Register(static o => ((RunOptions)o!).Terminate = true, runOptions);
        IDisposableReadOnlyCollection<OrtValue> results;
        try
        {
            results = session.Run(runOptions, [inputName], [value], outputNames);
        }
        catch (OnnxRuntimeException) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException("The model run was terminated.", cancellationToken);
        }

        using var _ = results;
        var outputs = new Dictionary<string, RawOutput>(StringComparer.Ordinal);
        var i = 0;
        foreach (var result in results)
        {
            var info = result.GetTensorTypeAndShape();
            var outputShape = info.Shape;
            if (info.ElementDataType != TensorElementType.Float)
            {
                throw new InvalidOperationException($"Output {outputNames[i]} is {info.ElementDataType}: float32 is expected.");
            }

            outputs[outputNames[i++]] = new RawOutput(outputShape, result.GetTensorDataAsSpan<float>().ToArray());
        }

        return outputs;
    }

    private static IEnumerable<int> Starts(int size, int roi, double overlap)
    {
        var step = Math.Max(1, (int)Math.Round(roi * (1 - overlap)));
        var last = size - roi;
        for (var start = 0; start < last; start += step)
        {
            yield return start;
        }

        yield return Math.Max(0, last);
    }

    /// <summary>Weights of a window: Gaussian (σ = size/8, as MONAI) or constant.</summary>
    private static float[] Importance(int rx, int ry, int rz, string blending)
    {
        var weights = new float[(long)rx * ry * rz];
        if (blending != "gaussian")
        {
            weights.AsSpan().Fill(1f);
            return weights;
        }

        double Gauss(int i, int n)
        {
            var sigma = n * 0.125;
            var d = i - ((n - 1) / 2.0);
            return Math.Exp(-(d * d) / (2 * sigma * sigma));
        }

        for (var z = 0; z < rz; z++)
        {
            for (var y = 0; y < ry; y++)
            {
                for (var x = 0; x < rx; x++)
                {
                    weights[((z * ry) + y) * rx + x] = (float)Math.Max(Gauss(x, rx) * Gauss(y, ry) * Gauss(z, rz), 1e-3);
                }
            }
        }

        return weights;
    }
}
