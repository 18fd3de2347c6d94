-- RadAI auto-forward for Orthanc (loaded through "LuaScripts"; docs/pacs-integration.md).
-- When a study becomes stable (no new instance for "StableAge" seconds), its images go to the modality
-- declared as "radai" in "DicomModalities". RadAI stores its report objects (SR, SEG, PDF, key images)
-- back into the same study: those never go back to RadAI, and a study goes again only when new images
-- arrived (each image sent is marked with the user metadata "RadaiForwarded").
local RADAI_MODALITY = 'radai'

local function RadaiAeTitle()
  local modalities = ParseJson(RestApiGet('/modalities?expand'))
  local radai = modalities[RADAI_MODALITY]
  if radai == nil then
    return nil
  end
  return radai['AET']
end

function OnStableStudy(studyId, tags, metadata)
  local radaiAet = RadaiAeTitle()
  if radaiAet == nil then
    print('RadAI auto-forward: no modality "' .. RADAI_MODALITY .. '" in DicomModalities; study ' .. studyId .. ' not sent')
    return
  end

  local images = {}
  local unsent = 0
  for _, instance in ipairs(ParseJson(RestApiGet('/studies/' .. studyId .. '/instances'))) do
    local instanceMetadata = ParseJson(RestApiGet('/instances/' .. instance['ID'] .. '/metadata?expand'))
    if instanceMetadata['RemoteAET'] ~= radaiAet then
      table.insert(images, instance['ID'])
      if instanceMetadata['RadaiForwarded'] == nil then
        unsent = unsent + 1
      end
    end
  end

  if unsent == 0 then
    return
  end

  print('RadAI auto-forward: study ' .. studyId .. ' (' .. #images .. ' instances, ' .. unsent .. ' new) to ' .. RADAI_MODALITY)
  RestApiPost('/modalities/' .. RADAI_MODALITY .. '/store', DumpJson({ Resources = images, Asynchronous = true }, true))
  for _, id in ipairs(images) do
    RestApiPut('/instances/' .. id .. '/metadata/RadaiForwarded', 'yes')
  end
end
