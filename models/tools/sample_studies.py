#!/usr/bin/python3
"""Synthetic DICOM studies for the default model packages: one folder per study, no real patient.

    /usr/bin/python3 models/tools/sample_studies.py --out DIR [--seed N] [--only ct,mr,mg,dx]

Writes DIR/<key>/ (Part 10 files, explicit VR little endian) and DIR/studies.json, a list of
{key, folder, modality, studyInstanceUid, packages, files, series, patientName, patientId, accessionNumber, truth}: "packages"
are the default packages the study is made for (RadAI decides for itself; the end-to-end tests check it agrees);
"truth" is what the phantom knows: ct {nodules: [{x, y, z, diameterMm}]} (patient coordinates, mm), mr {icvMl}.

  ct  CT Image Storage, 96 axial slices of 256 x 256 (1.4 mm pixels, 2.5 mm slices): the chest phantom of
      models/ct-lung-quant/phantom.py without vessels (the demo nodule model marks vessels seen end-on) and with
      three solid nodules (11, 8 and 6 mm) added in the lungs. For radai.ct.lung-quant (>= 40 slices, 0.5-5 mm)
      and radai.ct.nodule-demo (>= 20 slices, 0.5-3 mm).
  mr  MR Image Storage, 136 axial slices of 160 x 136 at 1 mm isotropic: the T1 head phantom of
      models/mr-brain-icv/phantom.py (scaled to 75 %, so that the analysis takes seconds). Series description
      "T1 MPRAGE ..." for radai.mr.brain-icv (>= 100 slices, 0.5-1.5 mm, description matching t1|mprage|...).
  mg  Digital Mammography X-Ray Image Storage - For Presentation, two series of one image each (right MLO,
      left CC, 0.5 mm imager pixels, 12 bits, MONOCHROME2): models/mg-density/phantom.py. For radai.mg.density.
  dx  Digital X-Ray Image Storage - For Presentation, one PA chest radiograph (1024 x 860, 0.4 mm imager
      pixels, 12 bits, with Exposure Index, Target Exposure Index and Deviation Index): the radiograph of
      models/dx-exposure-qc/validate.py. For radai.dx.exposure-qc.

Every study has its own synthetic patient with accented names (Specific Character Set ISO_IR 192, UTF-8),
patient id, birth date, sex, accession number, French study description, referring physician and institution.
UIDs are 2.25 UIDs: random, or derived from --seed (with the dates fixed) so that two runs write the same files.
Needs numpy, scipy and pydicom (/usr/bin/python3 has them).
"""

import argparse
import datetime
import hashlib
import importlib.util
import json
import os
import sys
import uuid

import numpy as np
import pydicom
from pydicom.dataset import Dataset, FileDataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import ExplicitVRLittleEndian

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = os.path.dirname(HERE)

CT_IMAGE = "1.2.840.10008.5.1.4.1.1.2"
MR_IMAGE = "1.2.840.10008.5.1.4.1.1.4"
MG_FOR_PRESENTATION = "1.2.840.10008.5.1.4.1.1.1.2"
DX_FOR_PRESENTATION = "1.2.840.10008.5.1.4.1.1.1.1"
IMPLEMENTATION_VERSION = "RADAI_SAMPLES_1"

# One synthetic patient per study: nothing here belongs to a real person.
PATIENTS = {
    "ct": dict(name="SYNTHÉTIQUE^Gaëlle", id="SYN-CT-0001", birth="19580412", sex="F", age="066Y",
               accession="SYNACC-CT-01", description="TDM thoracique sans injection (synthétique)"),
    "mr": dict(name="SYNTHÉTIQUE^Hélène", id="SYN-MR-0001", birth="19710923", sex="F", age="053Y",
               accession="SYNACC-MR-01", description="IRM cérébrale 3D T1 (synthétique)"),
    "mg": dict(name="SYNTHÉTIQUE^Zoé", id="SYN-MG-0001", birth="19660130", sex="F", age="058Y",
               accession="SYNACC-MG-01", description="Mammographie de dépistage (synthétique)"),
    "dx": dict(name="SYNTHÉTIQUE^François", id="SYN-DX-0001", birth="19820607", sex="M", age="042Y",
               accession="SYNACC-DX-01", description="Radiographie thoracique de face (synthétique)"),
}
INSTITUTION = "Hôpital Synthétique de Démonstration"
REFERRING = "DUPRÉ^Étienne^^Dr"


def load(package, module):
    """A module of a model package (each has its own phantom.py: imported by path, under a unique name)."""
    folder = os.path.join(MODELS, package)
    for path in (HERE, folder):
        if path not in sys.path:
            sys.path.insert(0, path)
    spec = importlib.util.spec_from_file_location(f"{package.replace('-', '_')}_{module}", os.path.join(folder, module + ".py"))
    loaded = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(loaded)
    return loaded


class Uids:
    """2.25 UIDs: from a hash of (seed, name) when seeded, else random."""

    def __init__(self, seed):
        self.seed = seed

    def __call__(self, name):
        if self.seed is None:
            return "2.25." + str(uuid.uuid4().int)
        digest = hashlib.sha256(f"radai-sample-studies/{self.seed}/{name}".encode()).digest()
        return "2.25." + str(int.from_bytes(digest[:16], "big") >> 1)


def ds_number(value):
    """A DS value of at most 16 characters."""
    text = f"{value:.10g}"
    if len(text) > 16:
        text = f"{value:.6g}"
    return text


def new_file(sop_class, sop_instance):
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = sop_class
    meta.MediaStorageSOPInstanceUID = sop_instance
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    meta.ImplementationClassUID = "2.25.223480553373146385394393498574546361917"
    meta.ImplementationVersionName = IMPLEMENTATION_VERSION
    ds = FileDataset(None, {}, file_meta=meta, preamble=b"\0" * 128)
    ds.is_little_endian = True
    ds.is_implicit_VR = False
    ds.SpecificCharacterSet = "ISO_IR 192"
    ds.SOPClassUID = sop_class
    ds.SOPInstanceUID = sop_instance
    return ds


def add_common(ds, study, series, key, instance):
    """Patient, General Study, Patient Study, General Series, General Equipment, General Image and SOP Common."""
    p = PATIENTS[key]
    ds.InstanceCreationDate = study["date"]
    ds.InstanceCreationTime = study["time"]
    ds.PatientName = p["name"]
    ds.PatientID = p["id"]
    ds.IssuerOfPatientID = "RADAI-SYNTHETIC"
    ds.PatientBirthDate = p["birth"]
    ds.PatientSex = p["sex"]
    ds.PatientIdentityRemoved = "NO"
    ds.PatientAge = p["age"]
    ds.PatientWeight = "64"
    ds.StudyInstanceUID = study["uid"]
    ds.StudyDate = study["date"]
    ds.StudyTime = study["time"]
    ds.ReferringPhysicianName = REFERRING
    ds.StudyID = study["id"]
    ds.AccessionNumber = p["accession"]
    ds.StudyDescription = p["description"]
    ds.SeriesInstanceUID = series["uid"]
    ds.SeriesNumber = series["number"]
    ds.SeriesDescription = series["description"]
    ds.SeriesDate = study["date"]
    ds.SeriesTime = series["time"]
    ds.Modality = series["modality"]
    ds.BodyPartExamined = series["bodyPart"]
    ds.OperatorsName = "OPÉRATEUR^Synthétique"
    ds.Manufacturer = "RadAI"
    ds.InstitutionName = INSTITUTION
    ds.InstitutionAddress = "1 rue de l'Exemple, 75000 Paris, France"
    ds.StationName = "RADAI-SYNTH"
    ds.InstitutionalDepartmentName = "Imagerie médicale"
    ds.ManufacturerModelName = "sample_studies.py"
    ds.DeviceSerialNumber = "SYNTH-0001"
    ds.SoftwareVersions = IMPLEMENTATION_VERSION
    ds.InstanceNumber = instance
    ds.ContentDate = study["date"]
    ds.ContentTime = series["time"]
    ds.AcquisitionDate = study["date"]
    ds.AcquisitionTime = series["time"]
    ds.BurnedInAnnotation = "NO"
    ds.LossyImageCompression = "00"


def add_pixels(ds, stored, bits, photometric="MONOCHROME2"):
    """Image Pixel module: unsigned integers in 16-bit words."""
    stored = np.asarray(stored)
    if stored.min() < 0 or stored.max() >= (1 << bits):
        raise ValueError(f"values {stored.min()}..{stored.max()} do not fit {bits} bits")
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = photometric
    ds.Rows, ds.Columns = stored.shape
    ds.BitsAllocated = 16
    ds.BitsStored = bits
    ds.HighBit = bits - 1
    ds.PixelRepresentation = 0
    ds.PixelData = stored.astype("<u2").tobytes()


def code(value, scheme, meaning):
    item = Dataset()
    item.CodeValue = value
    item.CodingSchemeDesignator = scheme
    item.CodeMeaning = meaning
    return item


def write(ds, folder, name):
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, name)
    ds.save_as(path, write_like_original=False)
    return path


def study_context(key, uids, seed, index):
    if seed is None:
        now = datetime.datetime.now()
    else:
        now = datetime.datetime(2025, 3, 10, 8, 30, 0) + datetime.timedelta(minutes=37 * index)
    return {"uid": uids(f"{key}/study"), "date": now.strftime("%Y%m%d"), "time": now.strftime("%H%M%S"),
            "id": f"S{index + 1:04d}", "start": now}


def series_time(study, minutes):
    return (study["start"] + datetime.timedelta(minutes=minutes)).strftime("%H%M%S")


def cross_sectional(ds, study, frame_of_reference, origin, spacing, z):
    """Frame of Reference and Image Plane modules of an axial slice (LPS, rows to the patient's left, columns to the back)."""
    ds.FrameOfReferenceUID = frame_of_reference
    ds.PositionReferenceIndicator = ""
    ds.PatientPosition = "HFS"
    ds.ImageOrientationPatient = ["1", "0", "0", "0", "1", "0"]
    ds.ImagePositionPatient = [ds_number(origin[0]), ds_number(origin[1]), ds_number(z)]
    ds.PixelSpacing = [ds_number(spacing[1]), ds_number(spacing[2])]
    ds.SliceThickness = ds_number(spacing[0])
    ds.SpacingBetweenSlices = ds_number(spacing[0])
    ds.SliceLocation = ds_number(z)


def make_ct(folder, uids, seed, index):
    """The lung phantom with three solid nodules: several findings for both CT packages."""
    phantom = load("ct-lung-quant", "phantom")
    make_chest, RIGHT, LEFT = phantom.make_chest, phantom.RIGHT, phantom.LEFT

    shape, spacing = (96, 256, 256), (2.5, 1.4, 1.4)
    hu, labels = make_chest(shape=shape, spacing=spacing, seed=seed or 0, noise_hu=10.0, vessels_per_lung=0)
    rng = np.random.default_rng((seed or 0) + 1000)
    d, h, w = shape
    zz, yy, xx = np.meshgrid(*((np.arange(n) - (n - 1) / 2.0) * s for n, s in zip(shape, spacing)), indexing="ij")
    nodules = []
    for side, diameter in ((RIGHT, 11.0), (LEFT, 8.0), (RIGHT, 6.0)):
        lung = labels == side
        inside = np.argwhere(lung)
        for _ in range(200):
            z, y, x = inside[rng.integers(len(inside))]
            centre = np.array([zz[z, y, x], yy[z, y, x], xx[z, y, x]])
            ball = (zz - centre[0]) ** 2 + (yy - centre[1]) ** 2 + (xx - centre[2]) ** 2 <= (diameter / 2.0 + 6.0) ** 2
            if (labels[ball] == side).all() and all(np.linalg.norm(centre - c) > 30.0 for c, _ in nodules):
                nodules.append((centre, diameter))
                break
        else:
            raise RuntimeError(f"no room for a {diameter} mm nodule in lung {side} (seed {seed})")
    for centre, diameter in nodules:
        ball = (zz - centre[0]) ** 2 + (yy - centre[1]) ** 2 + (xx - centre[2]) ** 2 <= (diameter / 2.0) ** 2
        hu[ball] = 30.0 + rng.normal(0.0, 15.0, int(ball.sum()))
    hu = np.rint(hu)
    truth = {"nodules": [{"x": round(float(c[2]), 2), "y": round(float(c[1]), 2), "z": round(float(c[0]), 2), "diameterMm": dm}
                         for c, dm in nodules]}

    study = study_context("ct", uids, seed, index)
    series = {"uid": uids("ct/series"), "number": 2, "description": "Thorax 3 mm parenchyme (synthétique)", "modality": "CT",
              "bodyPart": "CHEST", "time": series_time(study, 5)}
    frame_of_reference = uids("ct/frame-of-reference")
    origin = (-(w - 1) / 2.0 * spacing[2], -(h - 1) / 2.0 * spacing[1])
    intercept = -1024
    files = []
    for k in range(d):
        ds = new_file(CT_IMAGE, uids(f"ct/instance/{k}"))
        add_common(ds, study, series, "ct", k + 1)
        z = (k - (d - 1) / 2.0) * spacing[0]
        cross_sectional(ds, study, frame_of_reference, origin, spacing, z)
        ds.ImageType = ["ORIGINAL", "PRIMARY", "AXIAL"]
        ds.AcquisitionNumber = 1
        ds.KVP = "120"
        ds.DataCollectionDiameter = "500"
        ds.ReconstructionDiameter = ds_number(w * spacing[2])
        ds.DistanceSourceToDetector = "1085.6"
        ds.DistanceSourceToPatient = "595"
        ds.GantryDetectorTilt = "0"
        ds.TableHeight = "160"
        ds.RotationDirection = "CW"
        ds.ExposureTime = "500"
        ds.XRayTubeCurrent = "120"
        ds.Exposure = "60"
        ds.ConvolutionKernel = "B50f"
        ds.ProtocolName = "Thorax"
        ds.RescaleIntercept = str(intercept)
        ds.RescaleSlope = "1"
        ds.RescaleType = "HU"
        ds.WindowCenter = ["-600", "40"]
        ds.WindowWidth = ["1500", "400"]
        ds.WindowCenterWidthExplanation = ["POUMON", "MÉDIASTIN"]
        add_pixels(ds, np.clip(hu[k] - intercept, 0, 4095), 12)
        files.append(write(ds, folder, f"CT{k + 1:04d}.dcm"))
    return study, files, ["radai.ct.lung-quant", "radai.ct.nodule-demo"], truth


def make_mr(folder, uids, seed, index):
    """3D T1 head at 1 mm, axial slices from the feet up."""
    make_head = load("mr-brain-icv", "phantom").make_head

    shape, spacing = (136, 160, 136), (1.0, 1.0, 1.0)
    image, head = make_head(shape=shape, seed=seed or 0, scale=0.75, neck_scale=0.75)
    stored = np.clip(np.rint(image * 1000.0), 0, 4095).astype(np.uint16)
    study = study_context("mr", uids, seed, index)
    series = {"uid": uids("mr/series"), "number": 3, "description": "T1 MPRAGE 3D axial 1 mm", "modality": "MR",
              "bodyPart": "HEAD", "time": series_time(study, 12)}
    frame_of_reference = uids("mr/frame-of-reference")
    d, h, w = shape
    origin = (-(w - 1) / 2.0 * spacing[2], -(h - 1) / 2.0 * spacing[1])
    files = []
    for k in range(d):
        ds = new_file(MR_IMAGE, uids(f"mr/instance/{k}"))
        add_common(ds, study, series, "mr", k + 1)
        cross_sectional(ds, study, frame_of_reference, origin, spacing, (k - (d - 1) / 2.0) * spacing[0])
        ds.ImageType = ["ORIGINAL", "PRIMARY", "OTHER"]
        ds.AcquisitionNumber = 1
        ds.ScanningSequence = ["GR", "IR"]
        ds.SequenceVariant = ["SK", "SP", "MP"]
        ds.ScanOptions = ""
        ds.MRAcquisitionType = "3D"
        ds.SequenceName = "*tfl3d1"
        ds.AngioFlag = "N"
        ds.RepetitionTime = "2300"
        ds.EchoTime = "2.98"
        ds.InversionTime = "900"
        ds.NumberOfAverages = "1"
        ds.ImagingFrequency = "123.2"
        ds.ImagedNucleus = "1H"
        ds.EchoNumbers = "1"
        ds.MagneticFieldStrength = "3"
        ds.NumberOfPhaseEncodingSteps = str(h)
        ds.EchoTrainLength = "1"
        ds.PercentSampling = "100"
        ds.PercentPhaseFieldOfView = ds_number(100.0 * h / w)
        ds.PixelBandwidth = "240"
        ds.ProtocolName = "T1 MPRAGE 3D"
        ds.TransmitCoilName = "Body"
        ds.InPlanePhaseEncodingDirection = "COL"
        ds.FlipAngle = "9"
        ds.PatientPosition = "HFS"
        ds.WindowCenter = "500"
        ds.WindowWidth = "1000"
        add_pixels(ds, stored[k], 12)
        files.append(write(ds, folder, f"MR{k + 1:04d}.dcm"))
    return study, files, ["radai.mr.brain-icv"], {"icvMl": round(float(head["icv_ml"]), 1)}


def add_projection(ds, imager_spacing, exposure):
    """What DX and MG images share: DX Series, DX Image, DX Detector and X-Ray acquisition attributes."""
    ds.PresentationIntentType = "FOR PRESENTATION"
    ds.ImageType = ["ORIGINAL", "PRIMARY"]
    ds.PixelIntensityRelationship = "LOG"
    ds.PixelIntensityRelationshipSign = 1
    ds.RescaleIntercept = "0"
    ds.RescaleSlope = "1"
    ds.RescaleType = "US"
    ds.PresentationLUTShape = "IDENTITY"
    ds.DetectorType = "SCINTILLATOR"
    ds.DetectorConfiguration = "AREA"
    ds.DetectorID = "SYNTH-DET-01"
    ds.ImagerPixelSpacing = [ds_number(imager_spacing), ds_number(imager_spacing)]
    ds.AcquisitionContextSequence = Sequence()
    ds.KVP = ds_number(exposure["kvp"])
    ds.ExposureTime = str(exposure["ms"])
    ds.XRayTubeCurrent = str(exposure["mA"])
    ds.Exposure = str(int(round(exposure["mAs"])))
    ds.ExposureInuAs = str(int(round(exposure["mAs"] * 1000)))
    ds.DistanceSourceToDetector = ds_number(exposure["sid"])
    ds.DistanceSourceToPatient = ds_number(exposure["sod"])
    ds.EstimatedRadiographicMagnificationFactor = ds_number(exposure["sid"] / exposure["sod"])
    ds.Grid = "FOCUSED"


def make_mg(folder, uids, seed, index):
    """Right MLO and left CC, one series each (the density package analyses one image per series)."""
    phantom = load("mg-density", "phantom")
    make_mammogram, PIXEL_MM = phantom.make_mammogram, phantom.PIXEL_MM

    study = study_context("mg", uids, seed, index)
    # Chest wall on the right edge for a right breast, on the left edge for a left breast (the usual hanging).
    views = [
        dict(name="rmlo", laterality="R", view="MLO", flip=True, orientation=["P", "FL"], seed=(seed or 0) + 11,
             code=("399368009", "medio-lateral oblique")),
        dict(name="lcc", laterality="L", view="CC", flip=False, orientation=["A", "R"], seed=(seed or 0) + 12,
             code=("399162004", "cranio-caudal")),
    ]
    files = []
    for number, v in enumerate(views, start=1):
        image, _ = make_mammogram(seed=v["seed"], view=v["view"], flip=v["flip"])
        stored = np.clip(np.rint(image * 4095.0), 0, 4095).astype(np.uint16)
        series = {"uid": uids(f"mg/{v['name']}/series"), "number": number, "description": f"{v['laterality']} {v['view']}",
                  "modality": "MG", "bodyPart": "BREAST", "time": series_time(study, 2 * number)}
        ds = new_file(MG_FOR_PRESENTATION, uids(f"mg/{v['name']}/instance"))
        add_common(ds, study, series, "mg", 1)
        add_projection(ds, PIXEL_MM, dict(kvp=29, ms=1200, mA=100, mAs=120, sid=660.0, sod=610.0))
        ds.ImageLaterality = v["laterality"]
        ds.ViewPosition = v["view"]
        ds.PatientOrientation = v["orientation"]
        ds.PositionerType = "MAMMOGRAPHIC"
        ds.OrganExposed = "BREAST"
        ds.BreastImplantPresent = "NO"
        ds.AnatomicRegionSequence = Sequence([code("76752008", "SCT", "Breast")])
        ds.ViewCodeSequence = Sequence([code(v["code"][0], "SCT", v["code"][1])])
        ds.ViewCodeSequence[0].ViewModifierCodeSequence = Sequence()
        ds.BodyPartThickness = "52"
        ds.CompressionForce = "110"
        ds.AnodeTargetMaterial = "TUNGSTEN"
        ds.FilterMaterial = "RHODIUM"
        ds.Grid = "RECIPROCATING"
        ds.WindowCenter = "2048"
        ds.WindowWidth = "4096"
        add_pixels(ds, stored, 12)
        files.append(write(ds, folder, f"MG{number:04d}.dcm"))
    return study, files, ["radai.mg.density"], {}


def make_dx(folder, uids, seed, index):
    """PA chest radiograph with exposure indices in the header."""
    radiograph = load("dx-exposure-qc", "validate").radiograph

    bits, h, w = 12, 1024, 860
    image, _ = radiograph((seed or 0) + 21, h, w, bits, 8, 30)
    study = study_context("dx", uids, seed, index)
    series = {"uid": uids("dx/series"), "number": 1, "description": "Thorax face PA", "modality": "DX", "bodyPart": "CHEST",
              "time": series_time(study, 3)}
    ds = new_file(DX_FOR_PRESENTATION, uids("dx/instance"))
    add_common(ds, study, series, "dx", 1)
    add_projection(ds, 0.4, dict(kvp=125, ms=8, mA=400, mAs=3.2, sid=1800.0, sod=1650.0))
    ds.ImageLaterality = "U"
    ds.PositionerType = "COLUMN"
    ds.ViewPosition = "PA"
    ds.PatientOrientation = ["L", "F"]
    ds.AnatomicRegionSequence = Sequence([code("43799004", "SCT", "Chest")])
    ds.ViewCodeSequence = Sequence([code("399348003", "SCT", "postero-anterior")])
    ds.ViewCodeSequence[0].ViewModifierCodeSequence = Sequence()
    ds.ExposureIndex = "400"
    ds.TargetExposureIndex = "320"
    ds.DeviationIndex = ds_number(round(10.0 * np.log10(400.0 / 320.0), 2))
    ds.WindowCenter = "2048"
    ds.WindowWidth = "4096"
    add_pixels(ds, image.astype(np.uint16), bits)
    files = [write(ds, folder, "DX0001.dcm")]
    return study, files, ["radai.dx.exposure-qc"], {}


def series_count(files):
    return len({pydicom.dcmread(f, stop_before_pixels=True).SeriesInstanceUID for f in files})


MAKERS = {"ct": (make_ct, "CT"), "mr": (make_mr, "MR"), "mg": (make_mg, "MG"), "dx": (make_dx, "DX")}


def main(argv=None):
    parser = argparse.ArgumentParser(description="Write synthetic DICOM studies (no real patient) for RadAI's default model packages.")
    parser.add_argument("--out", required=True, help="folder to write the studies to (one subfolder per study)")
    parser.add_argument("--seed", type=int, default=None, help="derive UIDs, dates and noise from this number (reproducible output)")
    parser.add_argument("--only", default=",".join(MAKERS), help="comma-separated studies to write, among ct,mr,mg,dx (default: all)")
    args = parser.parse_args(argv)
    keys = [k.strip() for k in args.only.split(",") if k.strip()]
    unknown = [k for k in keys if k not in MAKERS]
    if unknown or not keys:
        parser.error(f"--only: unknown study {', '.join(unknown) or '(none)'}; known: {', '.join(MAKERS)}")

    uids = Uids(args.seed)
    studies = []
    for index, key in enumerate(MAKERS):
        if key not in keys:
            continue
        make, modality = MAKERS[key]
        folder = os.path.join(args.out, key)
        study, files, packages, truth = make(folder, uids, args.seed, index)
        studies.append({"key": key, "folder": os.path.abspath(folder), "modality": modality, "studyInstanceUid": study["uid"],
                        "packages": packages, "files": len(files), "series": series_count(files), "patientName": PATIENTS[key]["name"], "patientId": PATIENTS[key]["id"],
                        "accessionNumber": PATIENTS[key]["accession"], "truth": truth})
        print(f"{key}: {len(files)} file(s) in {folder}, study {study['uid']}", flush=True)
    with open(os.path.join(args.out, "studies.json"), "w", encoding="utf-8") as f:
        json.dump(studies, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
