import * as path from 'path';
import * as medialiveSdk from '@aws-sdk/client-medialive';
import * as ts from 'typescript';

/** A value the construct wrote that the MediaLive API model does not accept. */
export interface EnumProblem {
  /** Where: `AWS::MediaLive::Channel.EncoderSettings.VideoDescriptions[0].CodecSettings.H264Settings.RateControlMode`. */
  readonly path: string;
  readonly message: string;
}

/** What a walk found. */
export interface EnumCheck {
  readonly problems: EnumProblem[];
  /** Every enum-valued field that was checked, as `path = value (Enum)`. */
  readonly checked: string[];
}

const shapesFile = path.join(__dirname, 'medialive-api-shapes.ts');
let model: { checker: ts.TypeChecker; shapes: ts.Type } | undefined;

/** The MediaLive request types, read from `@aws-sdk/client-medialive`'s declarations with the TypeScript compiler (once). */
function apiModel(): { checker: ts.TypeChecker; shapes: ts.Type } {
  if (!model) {
    const program = ts.createProgram([shapesFile], {
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      module: ts.ModuleKind.CommonJS,
      moduleResolution: ts.ModuleResolutionKind.Node10,
      target: ts.ScriptTarget.ES2022,
    });
    const checker = program.getTypeChecker();
    const source = program.getSourceFile(shapesFile)!;
    const shapesSymbol = checker.getExportsOfModule(checker.getSymbolAtLocation(source)!).find((symbol) => symbol.name === 'MediaLiveApiShapes')!;
    model = { checker, shapes: checker.getDeclaredTypeOfSymbol(shapesSymbol) };
  }
  return model;
}

/** The SDK's exported enum object for a type name, e.g. `H264RateControlMode` -> { CBR: 'CBR', ... }. */
function sdkEnum(name: string): string[] | undefined {
  const value = (medialiveSdk as Record<string, unknown>)[name];
  if (typeof value !== 'object' || value === null) return undefined;
  const members = Object.values(value as Record<string, unknown>);
  return members.length > 0 && members.every((member) => typeof member === 'string') ? members as string[] : undefined;
}

/** The names a property's declared type refers to, e.g. `H264RateControlMode | undefined` -> ['H264RateControlMode']. */
function referencedNames(node: ts.TypeNode | undefined): string[] {
  if (!node) return [];
  if (ts.isUnionTypeNode(node)) return node.types.flatMap(referencedNames);
  if (ts.isTypeReferenceNode(node)) return [node.typeName.getText()];
  return [];
}

const isIntrinsic = (value: object) => {
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'));
};

/**
 * Walks the CloudFormation properties of a MediaLive resource along the API's request type: every member must exist in
 * the model, and every enum-typed member must hold one of the values `@aws-sdk/client-medialive` exports for that enum.
 */
export function checkMediaLiveEnums(resourceType: string, properties: Record<string, unknown>): EnumCheck {
  const { checker, shapes } = apiModel();
  const problems: EnumProblem[] = [];
  const checked: string[] = [];
  const shapeSymbol = shapes.getProperty(resourceType);
  if (!shapeSymbol) return { problems: [{ path: resourceType, message: 'no MediaLive API shape for this resource type' }], checked };
  const visit = (value: unknown, type: ts.Type, at: string, budget: { nodes: number }): void => {
    if (--budget.nodes < 0) throw new Error(`enum check: more than 100000 nodes under ${resourceType}`);
    if (value === null || value === undefined || typeof value !== 'object') return;
    const target = checker.getNonNullableType(type);
    if (Array.isArray(value)) {
      const element = checker.isArrayType(target) ? checker.getTypeArguments(target as ts.TypeReference)[0] : undefined;
      if (!element) {
        problems.push({ path: at, message: `the API does not take a list here (${checker.typeToString(target)})` });
        return;
      }
      value.forEach((item, index) => visit(item, element, `${at}[${index}]`, budget));
      return;
    }
    if (isIntrinsic(value)) return; // resolved by CloudFormation: a Ref or GetAtt, not a literal to check
    for (const [key, member] of Object.entries(value as Record<string, unknown>)) {
      const memberPath = `${at}.${key}`;
      const property = target.getProperty(key);
      if (!property) {
        problems.push({ path: memberPath, message: `not a member of ${checker.typeToString(target)} in the MediaLive API` });
        continue;
      }
      const declaration = property.valueDeclaration;
      const declaredNode = declaration && ts.isPropertySignature(declaration) ? declaration.type : undefined;
      const enumName = referencedNames(declaredNode).find((name) => sdkEnum(name) !== undefined);
      if (enumName !== undefined && typeof member === 'string') {
        const allowed = sdkEnum(enumName)!;
        checked.push(`${memberPath} = ${member} (${enumName})`);
        if (!allowed.includes(member)) problems.push({ path: memberPath, message: `'${member}' is not a ${enumName}: one of ${allowed.join(', ')}` });
        continue;
      }
      visit(member, checker.getTypeOfSymbol(property), memberPath, budget);
    }
  };
  visit(properties, checker.getTypeOfSymbol(shapeSymbol), resourceType, { nodes: 100_000 });
  return { problems, checked };
}
