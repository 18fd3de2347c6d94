namespace RadAI.Dicom;

/// <summary>
/// Chooses the VR of elements the dictionary gives two VRs for (US or SS, OB or OW, US or OW) when
/// the stream does not say (implicit VR), from the attributes the standard makes them depend on.
/// </summary>
internal static class DicomAmbiguousVR
{
    public static DicomVR Resolve(DicomDataset dataset, DicomTag tag, DicomDictionaryEntry entry, bool implicitVR)
    {
        // Pixel Data: OW in implicit VR (PS3.5 A.1); otherwise OW when BitsAllocated > 8.
        if (tag == DicomTags.PixelData)
        {
            return implicitVR || BitsAllocated(dataset, DicomTags.BitsAllocated) > 8 ? DicomVR.OW : DicomVR.OB;
        }

        // Overlay Data (60xx,3000): OW in implicit VR (PS3.5 8.1.2).
        if (tag.Group is >= 0x6000 and <= 0x601E && (tag.Group & 1) == 0 && tag.Element == 0x3000)
        {
            return DicomVR.OW;
        }

        // Waveform data and channel limits depend on Waveform Bits Allocated (PS3.3 C.10.9.1).
        if (tag.Group == 0x5400 && tag.Element is 0x0110 or 0x0112 or 0x100A or 0x1010)
        {
            return implicitVR || BitsAllocated(dataset, DicomTags.WaveformBitsAllocated) > 8 ? DicomVR.OW : DicomVR.OB;
        }

        // LUT Data: US when the LUT Descriptor says the LUT has one entry, else OW (PS3.3 C.11.1.1.1).
        if (tag == DicomTags.LUTData)
        {
            return dataset.TryGetValue<int>(DicomTags.LUTDescriptor, out var entries) && entries == 1 ? DicomVR.US : DicomVR.OW;
        }

        // US or SS: follows Pixel Representation, looked up in the dataset and then in its parents.
        if (entry.VR == DicomVR.US && entry.AlternativeVR == DicomVR.SS)
        {
            for (var ds = dataset; ds is not null; ds = ds.Parent)
            {
                if (ds.TryGetValue<int>(DicomTags.PixelRepresentation, out var representation))
                {
                    return representation == 0 ? DicomVR.US : DicomVR.SS;
                }
            }

            return DicomVR.US;
        }

        return entry.VR;
    }

    private static int BitsAllocated(DicomDataset dataset, DicomTag tag)
    {
        for (var ds = dataset; ds is not null; ds = ds.Parent)
        {
            if (ds.TryGetValue<int>(tag, out var bits))
            {
                return bits;
            }
        }

        return 0;
    }
}
