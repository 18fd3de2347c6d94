export interface SrNode {
  relationship: string | null;
  valueType: string;
  concept: string | null;
  value: string | null;
  children: SrNode[];
}

/** The SR content tree as nested lists: relationship, concept name, value (TID 1500 as report-builder writes it). */
export function SrTree({ node }: { node: SrNode }) {
  return (
    <ul className="sr-tree">
      <SrItem node={node} />
    </ul>
  );
}

function SrItem({ node }: { node: SrNode }) {
  return (
    <li data-value-type={node.valueType}>
      {node.relationship && <span className="sr-rel">{node.relationship}</span>} <span className="sr-type">{node.valueType}</span>{' '}
      <span className="sr-concept">{node.concept ?? ''}</span>
      {node.value !== null && <> = <span className="sr-value">{node.value}</span></>}
      {node.children.length > 0 && (
        <ul>
          {node.children.map((child, i) => (
            <SrItem key={i} node={child} />
          ))}
        </ul>
      )}
    </li>
  );
}
